"""Agent framework importers: crewAI crews (agents.yaml, tasks.yaml), LangGraph deployments
(langgraph.json), and what they share (the runtime, the model providers)."""
