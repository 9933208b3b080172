"""Generated answers through LangChain: providers, prompt, chain, validator, breaker and the LLM composer."""
