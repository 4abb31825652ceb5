"""A hub-shaped model shared by the tests of hubs (tests/engine/test_hubs.py) and of the
work a big run leaves to a worker beside it (decoding, judging)."""

from __future__ import annotations


def tool_hub(tools: int, assets: int, egress_every: int) -> str:
    """One public agent with ``tools`` tools, each reading and writing ``assets`` assets of
    its own; every ``egress_every``-th tool may send data out (0: none)."""
    lines = ["actm: 1", "system: {id: hub}", "models:"]
    names = ", ".join(f"t{i}" for i in range(tools))
    lines += [f"  - {{id: agent, kind: agent, exposure: public, tools: [{names}]}}", "assets:"]
    for i in range(tools):
        for j in range(assets):
            lines.append(f"  - {{id: d{i}-{j}, type: personal_data}}")
    lines.append("tools:")
    for i in range(tools):
        data = ", ".join(f"d{i}-{j}" for j in range(assets))
        egress = ", egress: [internet]" if egress_every and i % egress_every == 0 else ""
        lines.append(f"  - {{id: t{i}, permissions: {{read: [{data}], write: [{data}]{egress}}}}}")
    return "\n".join(lines) + "\n"
