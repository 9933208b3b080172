"""Support-team logic without Telegram: tickets, vetted FAQ, staff drafts, statistics, FAQ files."""
