"""schemathesis hooks for scripts/schemathesis.sh: path identifiers from the run's pools.

schemathesis_setup.py made pools of organizations, accounts, tokens and domains, and the run's
configuration binds each operation's path parameters to its pools (dictionaries). What a
dictionary does not do is done here, with what setup wrote to fixtures.json (its path in
$ABM_SCHEMATHESIS_FIXTURES):

- the coverage phase does not draw from dictionaries (schemathesis 4.32), and a dictionary does
  not bind the path of an invalid case (whose invalid part is elsewhere: a header, the query,
  the body), which then takes any identifier, from a response of another operation as well. So
  the coverage phase's cases get the operation's pools here, in turn, and so does every case of
  an operation whose pool is `strict`: one that consumes what it is given (DELETE, reset, renew,
  resolve...) and must not consume another pool's organizations. The parameter a case makes
  invalid on purpose is left as it is.
- an account, token or domain comes with the organization that owns it: `{org}` is drawn
  independently of `{id}` (or `{name}`), and the identifiers of one pool live in several
  organizations (a renew takes its organization's second live token, so each renewable token
  has an organization of its own).
- an approval (`POST .../oauth-client/authorizations`) that is valid by the document gets the
  redirect URI every client of the run has registered, as an IdP's would be.
- a long-poll is cut short: `GET .../activity?wait=` waits up to 30 s for an event, longer than
  the run's request timeout, and every case with a valid `wait` (invalid ones too, whose invalid
  part is elsewhere) would. Such a `wait` becomes 20 ms.

The stateful phase's identifiers are left alone: its links give them.
"""

import itertools
import json
import os
import re

import schemathesis

with open(os.environ["ABM_SCHEMATHESIS_FIXTURES"]) as f:
    FIXTURES = json.load(f)
OWNERS = FIXTURES["owners"]
# operation label -> path parameter -> (its pool, an endless round of it, strict). The round
# starts from the end: the dictionaries' draws favour the first values, which a DELETE or a
# resolve taken here would have consumed.
POOLS = {
    label: {
        name: (set(pool["values"]), itertools.cycle(pool["values"][::-1]), pool["strict"])
        for name, pool in parameters.items()
    }
    for label, parameters in FIXTURES["pools"].items()
}
LONG_POLL = "GET /admin/v1/orgs/{org}/activity"
# An approval names one of the client's redirect URIs exactly: every client setup made has this
# one (CALLBACK there), which a generated URI never is.
APPROVAL = "POST /admin/v1/orgs/{org}/scim/oauth-client/authorizations"
CALLBACK = "https://idp.example.com/callback"
# The `wait` the document describes (a humantime duration).
WAIT = re.compile(r"(?:[0-9]{1,6}(?:ms|s|m|h))+")


def _made_invalid(meta, name):
    """Whether the case is invalid on purpose in its path parameter `name`."""
    if meta is None or meta.generation.mode.value != "negative":
        return False
    if meta.phase.name.value == "coverage":
        location = getattr(meta.phase.data, "parameter_location", None)
        return location is not None and location.value == "path" and meta.phase.data.parameter == name
    return any(
        location.value == "path" and component.mode.value == "negative"
        for location, component in meta.components.items()
    )


@schemathesis.hook
def map_case(context, case):
    if case.operation.label == LONG_POLL and isinstance(case.query, dict):
        wait = case.query.get("wait")
        if isinstance(wait, str) and WAIT.fullmatch(wait):
            case.query["wait"] = "20ms"
    meta = case.meta
    positive = meta is None or meta.generation.mode.value != "negative"
    if case.operation.label == APPROVAL and positive and isinstance(case.body, dict):
        if isinstance(case.body.get("redirect_uri"), str):
            case.body["redirect_uri"] = CALLBACK
    phase = meta.phase.name.value if meta is not None else None
    if phase == "stateful":
        return case
    parameters = case.path_parameters
    if not parameters:
        return case
    for name, (values, turn, strict) in POOLS.get(case.operation.label, {}).items():
        value = parameters.get(name)
        if value in values or _made_invalid(meta, name):
            continue
        if strict or phase == "coverage":
            parameters[name] = next(turn)
    if "org" in parameters and not _made_invalid(meta, "org"):
        key = parameters.get("id", parameters.get("name"))
        owner = OWNERS.get(key) if isinstance(key, str) else None
        if owner is not None:
            parameters["org"] = owner
    return case
