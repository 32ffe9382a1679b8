"""Writes the benchmarks' fixture: one account, "Acme Ltd", with its owner
and N active users (the `portal` preset), and with --orders also N/10
orders by the owner under a policy over 50.00 (half of them wait for
approval).

    python3 scripts/bench_fixture.py N PATH [--orders]
"""
import json
import sys

n, path = int(sys.argv[1]), sys.argv[2]
users = [{"email": "olive@acme.test", "name": "Olive Owner", "role": "admin"}]
users += [{"email": f"u{i}@acme.test", "name": f"User {i}", "role": "user"} for i in range(n)]
account = {"name": "Acme Ltd", "owner": "olive@acme.test", "users": users}
if "--orders" in sys.argv[3:]:
    account["policies"] = [{"name": "Over 50", "threshold": "50.00"}]
    account["orders"] = [
        {"ref": f"R{i}", "created_by": "olive@acme.test", "description": f"Order {i}",
         "amount": "60.00" if i % 2 else "40.00"}
        for i in range(n // 10)
    ]
json.dump({"preset": "portal", "accounts": [account]}, open(path, "w"))
