#!/usr/bin/env python3
"""Small helpers for bench/load.sh (standard library only).

  tools.py ready BIN ARGS...        start BIN ARGS --listen 127.0.0.1:PORT, time until /readyz
                                    answers 200, stop it; prints the milliseconds
  tools.py walk-cursor URL TOKEN POSITION
                                    follow nextCursor from the first page until POSITION rows
                                    are behind; prints the cursor of the page starting there
  tools.py sql-log LOGFILE [OFFSET] print the SQL statements logged by sqlx (JSON log lines)
                                    after byte OFFSET, one JSON string a line
  tools.py get URL TOKEN            GET a URL with a bearer token, print the body (exit 1 unless 2xx)
  tools.py total URL TOKEN          totalResults of GET URL?count=1 (the SCIM-visible Users)
  tools.py org URL ADMIN_TOKEN      "id<TAB>name<TAB>first verified domain" of the only
                                    organization (GET /admin/v1/orgs)
  tools.py admin-seed URL ADMIN_TOKEN ORG_ID ORG_NAME DOMAIN FIRST COUNT [INACTIVE_DAYS]
                                    create accounts FIRST..FIRST+COUNT-1 through
                                    POST URL/admin/v1/seed in documents of 2,000 (the only way
                                    into an in-memory database from outside); inactive ones
                                    deactivated INACTIVE_DAYS ago when given; prints one line
                                    "N accounts in S s (R accounts/s)"
  tools.py lookup URL TOKEN DOMAIN FIRST COUNT K OUT.tsv
                                    K accounts drawn at random among FIRST..FIRST+COUNT-1 (as
                                    admin-seed and the provision mode of scim.lua name them),
                                    looked up by `userName eq`: "id<TAB>userName" lines

Every loop is bounded in count and in time.
"""
import json
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(port, path, timeout=1.0):
    """Status of a GET on 127.0.0.1:port, or None if nothing answers yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
            return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else None
    except OSError:
        return None


def ready(argv):
    """Milliseconds from process start to the first 200 from /readyz (30 s at most)."""
    port = free_port()
    cmd = argv + ["--listen", f"127.0.0.1:{port}"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + 30
        while time.perf_counter() < deadline:
            if http_status(port, "/readyz") == 200:
                print(f"{(time.perf_counter() - started) * 1000:.1f}")
                return 0
            if proc.poll() is not None:
                print(f"server exited with {proc.returncode} before it was ready", file=sys.stderr)
                return 1
            time.sleep(0.001)
        print("not ready after 30 s", file=sys.stderr)
        return 1
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get_json(url, token, timeout=60):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                               "Accept": "application/scim+json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.load(resp)


def walk_cursor(url, token, position):
    """Cursor of the page that starts after `position` rows, by following nextCursor: pages of
    1000 (the server's default maximum) while possible, then pages of 100."""
    position = int(position)
    done, cursor, requests = 0, "", 0
    deadline = time.monotonic() + 1800
    while done < position:
        if requests >= 20000 or time.monotonic() > deadline:
            print(f"gave up after {requests} requests at row {done}", file=sys.stderr)
            return 1
        step = 1000 if position - done >= 1000 else 100
        if (position - done) % step:
            step = 100
        query = urllib.parse.urlencode({"count": step, "cursor": cursor, "attributes": "id"})
        page = get_json(f"{url}?{query}", token)
        requests += 1
        got = len(page.get("Resources", []))
        if got != step or not page.get("nextCursor"):
            print(f"short page at row {done}: {got} rows, nextCursor={page.get('nextCursor')!r}",
                  file=sys.stderr)
            return 1
        done += got
        cursor = page["nextCursor"]
    print(cursor)
    print(f"{requests} requests", file=sys.stderr)
    return 0


def sql_log(path, offset=0):
    """Statements from sqlx's `db.statement` (or `summary`) fields in JSON log lines."""
    seen = set()
    with open(path, "rb") as f:
        f.seek(int(offset))
        for raw in f:
            line = raw.decode("utf-8", errors="replace")
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not str(entry.get("target", "")).startswith("sqlx::query"):
                continue
            fields = entry.get("fields", {})
            sql = (fields.get("db.statement") or fields.get("summary") or "").strip()
            if sql and sql not in seen:
                seen.add(sql)
                print(json.dumps(sql))
    return 0


# The same lists as src/service/seed_gen.rs and bench/scim.lua (provision).
GIVEN = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Tim",
         "Radia", "Guido", "Hedy", "Edsger", "Sophie", "Niklaus", "Katherine", "Donald", "Annie",
         "John", "Lynn", "Bjarne", "Joan", "Yukihiro"]
FAMILY = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
          "Allen", "Berners-Lee", "Perlman", "van Rossum", "Lamarr", "Dijkstra", "Wilson", "Wirth",
          "Johnson", "Knuth", "Easley", "McCarthy", "Conway", "Stroustrup", "Clarke", "Matsumoto"]
DEPARTMENTS = ["Engineering", "Sales", "Finance", "Legal", "Support", "Marketing", "Operations",
               "Design"]


def person(k, domain):
    """Account k: the same userName as scim.lua's provision mode gives it."""
    given, family = GIVEN[k % 24], FAMILY[(k // 24) % 24]
    user = f"{given.lower()}.{family.lower().replace(' ', '')}.{k}@{domain}"
    return given, family, user


def request_json(method, url, token, body=None, timeout=600):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/json",
        "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.load(resp)


def total(url, token):
    print(get_json(f"{url}?count=1&attributes=id", token)["totalResults"])
    return 0


def org(url, admin_token):
    orgs = request_json("GET", f"{url}/admin/v1/orgs", admin_token)["orgs"]
    if len(orgs) != 1:
        print(f"expected one organization, found {len(orgs)}", file=sys.stderr)
        return 1
    o = orgs[0]
    domain = next((d["name"] for d in o.get("domains", []) if d.get("verified")), "example.com")
    print(f"{o['id']}\t{o['name']}\t{domain}")
    return 0


def admin_seed(url, admin_token, org_id, org_name, domain, first, count, inactive_days=None):
    first, count = int(first), int(count)
    chunk = 2000
    started = time.perf_counter()
    done = 0
    for start in range(first, first + count, chunk):  # bounded: count / chunk documents
        accounts = []
        for k in range(start, min(start + chunk, first + count)):
            given, family, user = person(k, domain)
            account = {
                "user_name": user, "external_id": f"seed-{k}", "given_name": given,
                "family_name": family, "email": user,
                "attributes": {
                    "displayName": f"{given} {family}",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                        "employeeNumber": f"{k:08d}", "department": DEPARTMENTS[k % 8]}},
            }
            if inactive_days is not None:
                account["state"] = "inactive"
                account["inactive_days"] = int(inactive_days)
            accounts.append(account)
        document = {"orgs": [{"id": org_id, "name": org_name, "accounts": accounts}]}
        try:
            request_json("POST", f"{url}/admin/v1/seed", admin_token, document)
        except urllib.error.HTTPError as e:
            print(f"POST /admin/v1/seed: {e.code} {e.read()[:500]!r}", file=sys.stderr)
            return 1
        done += len(accounts)
    seconds = time.perf_counter() - started
    print(f"{done} accounts in {seconds:.1f} s ({done / max(seconds, 1e-9):.0f} accounts/s)")
    return 0


def lookup(url, token, domain, first, count, k, out):
    first, count, k = int(first), int(count), int(k)
    picks = random.Random(first * 1000003 + count).sample(range(first, first + count), min(k, count))
    found = 0
    with open(out, "w", encoding="utf-8") as f:
        for i in picks:  # bounded: k requests
            user = person(i, domain)[2]
            query = urllib.parse.urlencode({"filter": f'userName eq "{user}"', "attributes": "id"})
            page = get_json(f"{url}?{query}", token)
            for r in page.get("Resources", []):
                f.write(f"{r['id']}\t{user}\n")
                found += 1
    if found < len(picks):
        print(f"found {found} of {len(picks)} sampled accounts", file=sys.stderr)
    return 0 if found else 1


def get(url, token):
    try:
        print(json.dumps(get_json(url, token)))
        return 0
    except urllib.error.HTTPError as e:
        print(f"{e.code} {e.read()[:500]!r}", file=sys.stderr)
        return 1


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ready":
        return ready(args)
    if cmd == "walk-cursor" and len(args) == 3:
        return walk_cursor(*args)
    if cmd == "sql-log" and len(args) in (1, 2):
        return sql_log(*args)
    if cmd == "get" and len(args) == 2:
        return get(*args)
    if cmd == "total" and len(args) == 2:
        return total(*args)
    if cmd == "org" and len(args) == 2:
        return org(*args)
    if cmd == "admin-seed" and len(args) in (7, 8):
        return admin_seed(*args)
    if cmd == "lookup" and len(args) == 7:
        return lookup(*args)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
