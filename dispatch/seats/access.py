"""Who may do what on a centre's hub: the seat roles' NATS permissions and the server's users and TLS."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dispatch.seats.subjects import ROOT, Centre, check_token

# The JetStream API of the hub's default domain (nats.js.api.DEFAULT_PREFIX).
API = "$JS.API"
# bcrypt's work factor for the seats' passwords: the server checks a password on every (re)connection,
# and a factor of 11 costs it about a tenth of a second (the NATS documentation's own example).
ROUNDS = 11
# The server's TLS handshake deadline. Its default (0.5 s) is short for a busy seat machine.
TLS_TIMEOUT_S = 5.0


class Role(enum.StrEnum):
    """A seat's role on the hub (docs/seats.md, "Security")."""

    CONSOLE = "console"  # publishes its centre's log, takes the lease, creates the stream and buckets
    WALL = "wall"  # follows the log and reads the snapshots; publishes nothing of the centre's


@dataclass(frozen=True, slots=True)
class Permissions:
    """The subjects a NATS user may publish and subscribe to; everything else is refused by the hub."""

    publish: tuple[str, ...]
    subscribe: tuple[str, ...]


def lease_bucket(centre: Centre) -> str:
    """The key-value bucket of the centre's lease (dispatch/seats/lease.py)."""
    return f"tianshu_{centre.name}_lease"


def snapshots_bucket(centre: Centre) -> str:
    """The object store bucket of the centre's snapshots."""
    return f"tianshu_{centre.name}_snapshots"


def deltas_bucket(centre: Centre) -> str:
    """The object store bucket of the centre's row deltas (dispatch.seats.deltas)."""
    return f"tianshu_{centre.name}_deltas"


def _read_stream(stream: str) -> tuple[str, ...]:
    """What reading one stream through nats-py takes: its description, an ordered push consumer (created
    by the client, its flow control answered, never acknowledged, never deleted: an ephemeral push
    consumer ends with its subscription), and getting one message (the key-value and object store
    clients' `get`, directly or through the API)."""
    return (
        f"{API}.STREAM.INFO.{stream}",
        f"{API}.CONSUMER.CREATE.{stream}",  # an unnamed (ephemeral) consumer, as nats-py creates them
        f"{API}.CONSUMER.CREATE.{stream}.>",  # a named one (nats-py with `name`, nats-server 2.9+)
        f"{API}.STREAM.MSG.GET.{stream}",
        f"{API}.DIRECT.GET.{stream}",
        f"{API}.DIRECT.GET.{stream}.>",
        f"$JS.FC.{stream}.>",  # flow control replies: $JS.FC.<stream>.<consumer>.<id>
    )


def inbox(user: str) -> str:
    """The prefix of a user's reply subjects (nats-py's `inbox_prefix`). A user of its own, not the
    shared `_INBOX`: no seat may read the answers meant for another (the lease's, a command's)."""
    return f"_INBOX_{check_token('user', user)}"


def permissions(role: Role, centre: Centre, user: str) -> Permissions:
    """The exact permissions of `user`, a `role` in `centre`. Replies to the seat's own requests
    (JetStream's answers, acknowledgements) and its consumers' deliveries come to its own inbox."""
    stream = centre.stream
    lease, snapshots = f"KV_{lease_bucket(centre)}", f"OBJ_{snapshots_bucket(centre)}"
    deltas = f"OBJ_{deltas_bucket(centre)}"
    reads = (
        *_read_stream(stream),
        *_read_stream(snapshots),
        *_read_stream(deltas),
        # nats-py's object store reads through js.subscribe without naming the stream: it asks which
        # stream holds the subject first.
        f"{API}.STREAM.NAMES",
    )
    subscribe = (f"{inbox(user)}.>",)
    if role is Role.WALL:
        return Permissions(publish=reads, subscribe=subscribe)
    return Permissions(
        publish=(
            *reads,
            # The log: commands, events, the leader's entries.
            f"{ROOT}.{centre.name}.log.>",
            # Levels: an entry this centre sends to another centre's log (escalation 上报, return 下派).
            f"{ROOT}.*.log.from.{centre.name}",
            f"{API}.STREAM.CREATE.{stream}",
            # The lease: its bucket created, its key created, renewed and given back.
            *_read_stream(lease),
            f"{API}.STREAM.CREATE.{lease}",
            f"$KV.{lease_bucket(centre)}.>",
            # The snapshots: stored (chunks, then the description) and replaced (old chunks purged).
            f"{API}.STREAM.CREATE.{snapshots}",
            f"{API}.STREAM.PURGE.{snapshots}",
            f"$O.{snapshots_bucket(centre)}.>",
            # The row deltas, alike.
            f"{API}.STREAM.CREATE.{deltas}",
            f"{API}.STREAM.PURGE.{deltas}",
            f"$O.{deltas_bucket(centre)}.>",
        ),
        subscribe=subscribe,
    )


@dataclass(frozen=True, slots=True)
class User:
    """One seat's NATS user: its name, role, password (the plain password goes only in its credentials
    file; the server's configuration holds a hash), and its centre when the hub serves several (levels:
    a district and its city on one hub) and it is not the configuration's own."""

    name: str
    role: Role
    password: str = field(repr=False)
    centre: Centre | None = None

    def __post_init__(self) -> None:
        check_token("user", self.name)


@dataclass(frozen=True, slots=True)
class ServerTls:
    """The hub's TLS: its certificate and key, and the CA its clients' certificates (with `verify`,
    mutual TLS) and the other nodes' certificates (routes) are checked against."""

    cert: Path
    key: Path
    ca: Path
    verify: bool = False


def password_hash(password: str, rounds: int = ROUNDS) -> str:
    """A bcrypt hash nats-server accepts (`$2a$`)."""
    import bcrypt  # only the hub-config command needs it, not every seat

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds, prefix=b"2a")).decode()


def _quoted(text: str) -> str:
    # A JSON string is a quoted string of the server's configuration format: `$` and `>` inside
    # quotes are taken literally (unquoted, `$` would start a variable).
    return json.dumps(text, ensure_ascii=False)


def _list(items: Sequence[str], indent: str) -> str:
    return "[\n" + "".join(f"{indent}  {_quoted(item)},\n" for item in items) + f"{indent}]"


def _tls_block(tls: ServerTls, indent: str) -> str:
    lines = [
        f"cert_file: {_quoted(str(tls.cert))}",
        f"key_file: {_quoted(str(tls.key))}",
        f"ca_file: {_quoted(str(tls.ca))}",
        f"timeout: {TLS_TIMEOUT_S}",
    ]
    if tls.verify:
        lines.append("verify: true")
    return "tls {\n" + "".join(f"{indent}  {line}\n" for line in lines) + f"{indent}}}"


def server_config(
    centre: Centre, users: Sequence[User], tls: ServerTls | None = None, *, routes_tls: bool = False,
    rounds: int = ROUNDS,
) -> str:  # fmt: skip
    """nats-server's configuration for `centre` (and the other centres its users name): TLS for
    clients (and, with `routes_tls`, for the routes between the cluster's nodes, which always check each
    other's certificates), and one user per seat with its role's permissions. The node's own settings
    (ports, store, cluster name and routes) go on its command line."""
    names = [user.name for user in users]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"a user is named twice: {', '.join(duplicates)}")
    if not users:
        raise ValueError("no users: give at least one console")
    parts = [f"# Centre {centre.name}'s hub: users and TLS (python main.py seats hub-config)."]
    if tls is not None:
        parts.append(_tls_block(tls, ""))
        if routes_tls:
            parts.append("cluster {\n  " + _tls_block(ServerTls(tls.cert, tls.key, tls.ca), "  ") + "\n}")
    entries = []
    for user in users:
        allowed = permissions(user.role, user.centre or centre, user.name)
        entries.append(
            "    {\n"
            f"      # {user.role.value} of centre {(user.centre or centre).name}\n"
            f"      user: {_quoted(user.name)}\n"
            f"      password: {_quoted(password_hash(user.password, rounds))}\n"
            "      permissions: {\n"
            f"        publish: {{ allow: {_list(allowed.publish, '          ')} }}\n"
            f"        subscribe: {{ allow: {_list(allowed.subscribe, '          ')} }}\n"
            "      }\n"
            "    }\n"
        )
    parts.append("authorization {\n  users = [\n" + "".join(entries) + "  ]\n}")
    return "\n".join(parts) + "\n"
