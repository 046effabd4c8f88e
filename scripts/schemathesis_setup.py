#!/usr/bin/env python3
"""Test data for the schemathesis run (scripts/schemathesis.sh), made through the admin API.

    schemathesis_setup.py BASE_URL ADMIN_TOKEN OUT_DIR HOOKS_FILE STATEFUL_EXAMPLES

Creates organizations, accounts, domains and tokens, each pool for the operations it serves,
so that every operation of /openapi.json meets real identifiers in every phase: a DELETE, a
renew or a resolve consumes what it is given, so those get pools of their own, large enough
for a run, and nothing else draws from them. Writes, into OUT_DIR:

- `schemathesis.toml`: the run's configuration; one dictionary per pool, bound to the path
  parameters of the operations it serves (`[[operations]]`), the hooks, the warnings that fail
  the run, and the stateful phase's size (STATEFUL_EXAMPLES scenarios of up to 30 steps: links
  chain create → read, change, delete, renew, which takes more steps than the default 6);
- `fixtures.json`: for `schemathesis_hooks.py`, which organization owns each account, token and
  domain (the hook pairs `{org}` with the `{id}` or `{name}` drawn), and each operation's pools
  (which the hook applies where dictionaries do not: the coverage phase, invalid cases).

Only the standard library: it runs before the venv's schemathesis does.
"""

import json
import sys
import urllib.error
import urllib.request
import uuid

BASE, TOKEN, OUT, HOOKS = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
STATEFUL_EXAMPLES = int(sys.argv[5])
ADMIN = f"{BASE}/admin/v1"

# Pool sizes: each DELETE, renew and resolve consumes one; a run of MAX_EXAMPLES=20 with its
# coverage cases and stateful steps stays well below these.
SIZES = {
    "read": 3,  # organizations only read (and written harmlessly: faults, accounts, domains)
    "patch_org": 3,
    "delete_org": 40,
    "disconnect": 2,
    "reset": 2,
    "create_token": 25,  # two live tokens per organization at most
    "renew": 30,  # one renew each: it revokes the expired token it renews (and the others)
    "read_accounts": 10,
    "patch_accounts": 25,
    "delete_accounts": 60,
    "conflicts": 100,
    "delete_domains": 60,
    "revoke_tokens": 12,
    "create_oauth_client": 150,  # one OAuth client per organization: each case consumes one
    "oauth_read": 3,  # a client to read and approve (its redirect URI is CALLBACK)
    "oauth_patch": 3,
    "oauth_delete": 40,
    "oauth_secrets": 30,  # one more secret each: two live at most
    "revoke_secrets": 30,  # two live secrets each: one can go
}
# The redirect URI of every OAuth client made here (the schema's example of an approval's).
CALLBACK = "https://idp.example.com/callback"
# Seeded tokens that expired long ago: they can be renewed and revoked, and never count as live.
EXPIRED = "2000-01-01T00:00:00Z"


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{ADMIN}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {TOKEN}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as err:
        sys.exit(f"setup: {method} {path} answered {err.code}: {err.read().decode()}")


def new_id():
    return str(uuid.uuid4())


def manual_accounts(prefix, count):
    return [
        {"id": new_id(), "user_name": f"{prefix}{i}@example.com", "source": "manual"}
        for i in range(count)
    ]


def expired_tokens(count):
    return [
        {"id": new_id(), "secret": f"schemathesis-{new_id()}", "expires_at": EXPIRED}
        for _ in range(count)
    ]


def org(name, **extra):
    return {"name": f"schemathesis {name}", **extra}


def school(name, **extra):
    """An Apple School Manager organization: every role of the schema and `grade_level` are
    valid in it, and `sis_connected` can be switched (a business refuses school-only values)."""
    return org(name, kind="school", **extra)


orgs = {}  # pool -> the seed organizations in it
# Accounts are created and changed in schools (the roles schema lists the school roles too).
orgs["read"] = [
    school(f"read {i}", domains=[{"name": f"read{i}.example.com"}]) for i in range(SIZES["read"])
]
orgs["read"][0]["accounts"] = manual_accounts("read", SIZES["read_accounts"])
orgs["read"][1]["tokens"] = [{"id": new_id(), "secret": f"schemathesis-{new_id()}"}]
orgs["patch_org"] = [school(f"patch {i}") for i in range(SIZES["patch_org"])]
orgs["delete_org"] = [org(f"delete {i}") for i in range(SIZES["delete_org"])]
orgs["disconnect"] = [
    org(
        f"disconnect {i}",
        tokens=[{"id": new_id(), "secret": f"schemathesis-{new_id()}"}],
        accounts=[{"id": new_id(), "user_name": f"synced{i}@example.com"}],
    )
    for i in range(SIZES["disconnect"])
]
orgs["reset"] = [
    org(f"reset {i}", accounts=manual_accounts(f"reset{i}-", 3)) for i in range(SIZES["reset"])
]
orgs["create_token"] = [org(f"tokens {i}") for i in range(SIZES["create_token"])]
orgs["renew"] = [org(f"renew {i}", tokens=expired_tokens(1)) for i in range(SIZES["renew"])]
orgs["patch_accounts"] = [school("patch accounts", accounts=manual_accounts("patch", SIZES["patch_accounts"]))]
orgs["delete_accounts"] = [
    org("delete accounts", accounts=manual_accounts("delete", SIZES["delete_accounts"]))
]
orgs["conflicts"] = [
    org(
        "conflicts",
        accounts=[
            {"id": new_id(), "user_name": f"conflict{i}@example.com"}  # synced (source scim)
            for i in range(SIZES["conflicts"])
        ],
    )
]
orgs["delete_domains"] = [
    org(
        "delete domains",
        domains=[{"name": f"d{i}.delete.example.com"} for i in range(SIZES["delete_domains"])],
    )
]
orgs["revoke_tokens"] = [org("revoke tokens", tokens=expired_tokens(SIZES["revoke_tokens"]))]
for pool in ["create_oauth_client", "oauth_read", "oauth_patch", "oauth_delete", "oauth_secrets", "revoke_secrets"]:
    orgs[pool] = [org(f"{pool} {i}") for i in range(SIZES[pool])]

document = {"orgs": [o for group in orgs.values() for o in group]}
summary = call("POST", "/seed", document)
ids = [seeded["id"] for seeded in summary["orgs"]]
position = 0
org_ids = {}  # pool -> organization ids
for name, group in orgs.items():
    org_ids[name] = ids[position : position + len(group)]
    position += len(group)


def accounts_of(name):
    return [(org_ids[name][i], a["id"]) for i, o in enumerate(orgs[name]) for a in o.get("accounts", [])]


def tokens_of(name):
    return [(org_ids[name][i], t["id"]) for i, o in enumerate(orgs[name]) for t in o.get("tokens", [])]


# A synced account whose Person ID an admin edits is in conflict: what `resolve` settles.
for org_id, account_id in accounts_of("conflicts"):
    account = call("PATCH", f"/orgs/{org_id}/accounts/{account_id}", {"person_id": f"edited-{account_id}"})
    assert account["state"] == "conflict", account

# Seed files make no OAuth clients: the admin API does, one per organization of these pools.
def oauth_client(org_id):
    body = {"name": "schemathesis IdP", "redirect_uris": [CALLBACK]}
    return call("POST", f"/orgs/{org_id}/scim/oauth-client", body)["secret_id"]


for pool in ["oauth_read", "oauth_patch", "oauth_delete", "oauth_secrets"]:
    for org_id in org_ids[pool]:
        oauth_client(org_id)
revocable_secrets = []  # (organization, a secret that is not its only live one)
for org_id in org_ids["revoke_secrets"]:
    oauth_client(org_id)
    second = call("POST", f"/orgs/{org_id}/scim/oauth-client/secrets", {})["secret_id"]
    revocable_secrets.append((org_id, second))

read_org = org_ids["read"][0]
cursor = call("GET", f"/orgs/{read_org}/accounts?limit=1")["next_cursor"]
assert cursor, "the read organization has more than one account"

owners = {}  # account id, token id or domain name -> organization id
pairs = {
    "read_accounts": accounts_of("read"),
    "patch_accounts": accounts_of("patch_accounts"),
    "delete_accounts": accounts_of("delete_accounts"),
    "conflicts": accounts_of("conflicts"),
    "renew": tokens_of("renew"),
    "revoke_tokens": tokens_of("revoke_tokens"),
    "delete_domains": [
        (org_ids["delete_domains"][0], d["name"]) for d in orgs["delete_domains"][0]["domains"]
    ],
    "revoke_secrets": revocable_secrets,
}
for pool_pairs in pairs.values():
    for org_id, key in pool_pairs:
        owners[key] = org_id

# The dictionaries: organization pools and the identifiers in them.
dictionaries = {f"orgs_{name}": org_ids[name] for name in orgs}
dictionaries.update({name: [key for _, key in pool_pairs] for name, pool_pairs in pairs.items()})
dictionaries["cursors"] = [cursor]

A = "/admin/v1"
# operation -> {parameter: (dictionary, probability)}. Identifiers a request consumes or that
# another pool needs intact come only from their pool (probability 1); others are sometimes
# generated, so the server also meets identifiers it does not know.
bindings = {
    f"GET {A}/orgs/{{org}}": {"path.org": ("orgs_read", 0.9)},
    f"PATCH {A}/orgs/{{org}}": {"path.org": ("orgs_patch_org", 1.0)},
    f"DELETE {A}/orgs/{{org}}": {"path.org": ("orgs_delete_org", 1.0)},
    f"POST {A}/orgs/{{org}}/domains": {"path.org": ("orgs_read", 0.9)},
    f"DELETE {A}/orgs/{{org}}/domains/{{name}}": {
        "path.org": ("orgs_delete_domains", 1.0),
        "path.name": ("delete_domains", 0.9),
    },
    f"GET {A}/orgs/{{org}}/scim": {"path.org": ("orgs_read", 0.9)},
    f"DELETE {A}/orgs/{{org}}/scim": {"path.org": ("orgs_disconnect", 1.0)},
    f"POST {A}/orgs/{{org}}/scim/tokens": {"path.org": ("orgs_create_token", 1.0)},
    f"DELETE {A}/orgs/{{org}}/scim/tokens/{{id}}": {
        "path.org": ("orgs_revoke_tokens", 1.0),
        "path.id": ("revoke_tokens", 0.9),
    },
    f"POST {A}/orgs/{{org}}/scim/tokens/{{id}}/renew": {
        "path.org": ("orgs_renew", 1.0),
        "path.id": ("renew", 0.9),
    },
    f"GET {A}/orgs/{{org}}/accounts": {
        "path.org": ("orgs_read", 0.9),
        "query.cursor": ("cursors", 0.5),
    },
    f"POST {A}/orgs/{{org}}/accounts": {"path.org": ("orgs_read", 0.9)},
    f"GET {A}/orgs/{{org}}/accounts/{{id}}": {
        "path.org": ("orgs_read", 1.0),
        "path.id": ("read_accounts", 0.9),
    },
    f"PATCH {A}/orgs/{{org}}/accounts/{{id}}": {
        "path.org": ("orgs_patch_accounts", 1.0),
        "path.id": ("patch_accounts", 0.9),
    },
    f"DELETE {A}/orgs/{{org}}/accounts/{{id}}": {
        "path.org": ("orgs_delete_accounts", 1.0),
        "path.id": ("delete_accounts", 0.9),
    },
    f"POST {A}/orgs/{{org}}/accounts/{{id}}/resolve": {
        "path.org": ("orgs_conflicts", 1.0),
        "path.id": ("conflicts", 0.9),
    },
    f"GET {A}/orgs/{{org}}/activity": {"path.org": ("orgs_read", 0.9)},
    f"GET {A}/orgs/{{org}}/requests": {"path.org": ("orgs_read", 0.9)},
    f"GET {A}/orgs/{{org}}/requests.har": {"path.org": ("orgs_read", 0.9)},
    f"PUT {A}/orgs/{{org}}/faults": {"path.org": ("orgs_read", 0.9)},
    f"GET {A}/orgs/{{org}}/faults": {"path.org": ("orgs_read", 0.9)},
    f"DELETE {A}/orgs/{{org}}/faults": {"path.org": ("orgs_read", 0.9)},
    f"POST {A}/orgs/{{org}}/reset": {"path.org": ("orgs_reset", 1.0)},
    f"POST {A}/orgs/{{org}}/scim/oauth-client": {"path.org": ("orgs_create_oauth_client", 1.0)},
    f"GET {A}/orgs/{{org}}/scim/oauth-client": {"path.org": ("orgs_oauth_read", 0.9)},
    f"PATCH {A}/orgs/{{org}}/scim/oauth-client": {"path.org": ("orgs_oauth_patch", 1.0)},
    f"DELETE {A}/orgs/{{org}}/scim/oauth-client": {"path.org": ("orgs_oauth_delete", 1.0)},
    f"POST {A}/orgs/{{org}}/scim/oauth-client/secrets": {"path.org": ("orgs_oauth_secrets", 1.0)},
    f"DELETE {A}/orgs/{{org}}/scim/oauth-client/secrets/{{id}}": {
        "path.org": ("orgs_revoke_secrets", 1.0),
        "path.id": ("revoke_secrets", 0.9),
    },
    f"POST {A}/orgs/{{org}}/scim/oauth-client/authorizations": {"path.org": ("orgs_oauth_read", 1.0)},
}


def toml_string(value):
    return json.dumps(value)  # a JSON string is a TOML basic string


lines = [
    "# Generated by scripts/schemathesis_setup.py for one run against one server: the ids are",
    "# that server's.",
    "",
    f"hooks = {toml_string(HOOKS)}",
    "",
    "[warnings]",
    "# An operation that mostly rejected valid data (the document is looser than the handler) or",
    "# never got past 404 was not tested; nor were parts of the document schemathesis could not",
    "# resolve or read; a pool value the document refuses means document and server disagree.",
    "fail-on = [",
    '    "validation_mismatch",',
    '    "missing_test_data",',
    '    "unresolvable_reference",',
    '    "unsupported_regex",',
    '    "dictionary_mismatch",',
    "]",
    "",
    "[phases.stateful]",
    "max-steps = 30",
    "",
    "[phases.stateful.generation]",
    f"max-examples = {STATEFUL_EXAMPLES}",
    "",
]
for name, values in dictionaries.items():
    lines.append(f"[dictionaries.{name}]")
    lines.append("values = [" + ", ".join(toml_string(v) for v in values) + "]")
    lines.append("")
for operation, parameters in bindings.items():
    lines.append("[[operations]]")
    lines.append(f"include-name = {toml_string(operation)}")
    lines.append("[operations.parameters]")
    for parameter, (dictionary, probability) in parameters.items():
        lines.append(f'"{parameter}" = {{ dictionary = "{dictionary}", probability = {probability} }}')
    lines.append("")

with open(f"{OUT}/schemathesis.toml", "w") as f:
    f.write("\n".join(lines))
# For the hook: the coverage phase does not draw from dictionaries, and nothing binds the path
# of a case whose invalid part is elsewhere; `strict` pools must not be left for another value.
pools = {
    operation: {
        parameter.split(".", 1)[1]: {
            "values": dictionaries[dictionary],
            "strict": probability == 1.0,
        }
        for parameter, (dictionary, probability) in parameters.items()
        if parameter.startswith("path.")
    }
    for operation, parameters in bindings.items()
}
with open(f"{OUT}/fixtures.json", "w") as f:
    json.dump({"owners": owners, "pools": pools}, f, indent=1)
print(
    f"setup: {len(ids)} organizations, {len(owners)} accounts, tokens and domains in "
    f"{len(dictionaries)} pools"
)
