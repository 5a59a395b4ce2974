"""A local Alibaba Cloud OpenAPI emulator for Bastionhost multi-account management."""
