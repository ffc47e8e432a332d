"""Snapshots and row deltas on the hub: the object stores `tianshu_<centre>_snapshots` and
`tianshu_<centre>_deltas` beside the centre's log (used by dispatch/seats/restore.py and
dispatch/seats/catch_up.py)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io

import nats.errors
import nats.js.errors
from nats.js import JetStreamContext, api
from nats.js.object_store import OBJ_STREAM_TEMPLATE, ObjectStore

from dispatch.seats.access import deltas_bucket, snapshots_bucket
from dispatch.seats.hub_client import NOT_CLUSTERED, HubUnavailable
from dispatch.seats.subjects import Centre


class SnapshotShelf:
    """The hub's snapshot and delta methods (a part of dispatch.seats.hub.Hub, which provides the
    connection)."""

    _js: JetStreamContext
    centre: Centre
    replicas: int

    @property
    def snapshot_bucket(self) -> str:
        return snapshots_bucket(self.centre)

    @property
    def delta_bucket(self) -> str:
        return deltas_bucket(self.centre)

    async def snapshots(self) -> list[int]:
        """The log sequences of the snapshots on the hub, oldest first (none before the first is kept)."""
        return sorted(seqs[0] for seqs in await self._names(self.snapshot_bucket, "snapshot", 1))

    async def deltas(self) -> list[tuple[int, int]]:
        """The (first, last) entries of the row deltas on the hub (dispatch.seats.deltas), in order."""
        return sorted((seqs[0], seqs[1]) for seqs in await self._names(self.delta_bucket, "delta", 2))

    async def _names(self, bucket: str, prefix: str, numbers: int) -> list[tuple[int, ...]]:
        """The numbers in the names `<prefix>-<n>[-<n>]` kept in `bucket`. Read from the bucket stream's
        subjects, not with a watcher (one more consumer to survive)."""
        stream = OBJ_STREAM_TEMPLATE.format(bucket=bucket)
        try:
            info = await self._js.stream_info(stream, subjects_filter=f"$O.{bucket}.M.>")
        except nats.js.errors.NotFoundError:
            return []
        except nats.errors.Error as error:
            raise HubUnavailable(f"cannot list the {prefix}s: {error}") from error
        found = []
        for subject in info.state.subjects or {}:
            name = base64.urlsafe_b64decode(subject.rsplit(".", 1)[-1]).decode(errors="replace")
            parts = name.split("-")
            if len(parts) == numbers + 1 and parts[0] == prefix and all(p.isdigit() for p in parts[1:]):
                found.append(tuple(int(p) for p in parts[1:]))
        return found

    async def put_snapshot(self, seq: int, source: io.BufferedIOBase) -> None:
        """Keep the snapshot of log entry `seq` (read from `source`), creating the bucket if needed."""
        await self._put(self.snapshot_bucket, _snapshot_name(seq), source)

    async def put_delta(self, first: int, last: int, data: bytes) -> None:
        """Keep the row delta of entries `first`+1 … `last`."""
        await self._put(self.delta_bucket, _delta_name(first, last), data)

    async def get_delta(self, first: int, last: int, timeout: float) -> bytes:
        """The row delta of entries `first`+1 … `last` (the object store checks its SHA-256)."""
        try:
            store = await self._js.object_store(self.delta_bucket)
            result = await asyncio.wait_for(store.get(_delta_name(first, last)), timeout)
        except (nats.errors.Error, TimeoutError) as error:
            raise HubUnavailable(f"cannot read delta {first}-{last} from the hub: {error!r}") from error
        return bytes(result.data or b"")

    async def drop_delta(self, first: int, last: int) -> None:
        await self._drop(self.delta_bucket, _delta_name(first, last))

    async def _put(self, bucket: str, name: str, source: io.BufferedIOBase | bytes) -> None:
        try:
            try:
                store = await self._js.object_store(bucket)
            except nats.js.errors.BucketNotFoundError:
                store = await self._create_bucket(bucket)
            await store.put(name, source)
        except nats.errors.Error as error:
            raise HubUnavailable(f"the hub did not keep {name}: {error}") from error

    async def get_snapshot(self, seq: int, sink: io.BufferedIOBase, timeout: float) -> None:
        """Write the snapshot of log entry `seq` to `sink` (the object store checks its SHA-256)."""
        try:
            store = await self._js.object_store(self.snapshot_bucket)
            await asyncio.wait_for(store.get(_snapshot_name(seq), writeinto=sink), timeout)
        except (nats.errors.Error, TimeoutError) as error:
            raise HubUnavailable(f"cannot read snapshot {seq} from the hub: {error!r}") from error

    async def drop_snapshot(self, seq: int) -> None:
        """Remove the snapshot of log entry `seq`, its name too (so that `snapshots` no longer lists it)."""
        await self._drop(self.snapshot_bucket, _snapshot_name(seq))

    async def _drop(self, bucket: str, name: str) -> None:
        try:
            store = await self._js.object_store(bucket)
            with contextlib.suppress(nats.js.errors.ObjectNotFoundError):
                await store.delete(name)
            meta = base64.urlsafe_b64encode(name.encode()).decode()
            stream = OBJ_STREAM_TEMPLATE.format(bucket=bucket)
            await self._js.purge_stream(stream, subject=f"$O.{bucket}.M.{meta}")
        except nats.errors.Error as error:
            raise HubUnavailable(f"the hub did not remove {name}: {error}") from error

    async def _create_bucket(self, bucket: str) -> ObjectStore:
        # Kept on as many nodes as the log (a single server keeps one copy); two seats creating it
        # together both succeed (the same configuration).
        config = api.ObjectStoreConfig(storage=api.StorageType.FILE, replicas=self.replicas)
        try:
            return await self._js.create_object_store(bucket, config=config)
        except nats.js.errors.APIError as error:
            if error.err_code != NOT_CLUSTERED:
                raise
            config.replicas = 1
            return await self._js.create_object_store(bucket, config=config)


def _snapshot_name(seq: int) -> str:
    return f"snapshot-{seq:012d}"


def _delta_name(first: int, last: int) -> str:
    return f"delta-{first:012d}-{last:012d}"
