"""Snapshots on the hub: the object store `tianshu_<centre>_snapshots` beside the centre's log (used by
dispatch/seats/restore.py)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io

import nats.errors
import nats.js.errors
from nats.js import JetStreamContext, api
from nats.js.object_store import OBJ_STREAM_TEMPLATE, ObjectStore

from dispatch.seats.hub_client import NOT_CLUSTERED, HubUnavailable
from dispatch.seats.subjects import Centre


class SnapshotShelf:
    """The hub's snapshot methods (a part of dispatch.seats.hub.Hub, which provides the connection)."""

    _js: JetStreamContext
    centre: Centre
    replicas: int

    @property
    def snapshot_bucket(self) -> str:
        return f"tianshu_{self.centre.name}_snapshots"

    async def snapshots(self) -> list[int]:
        """The log sequences of the snapshots on the hub, oldest first (none before the first is kept).
        Read from the bucket stream's subjects, not with a watcher (one more consumer to survive)."""
        stream = OBJ_STREAM_TEMPLATE.format(bucket=self.snapshot_bucket)
        try:
            info = await self._js.stream_info(stream, subjects_filter=f"$O.{self.snapshot_bucket}.M.>")
        except nats.js.errors.NotFoundError:
            return []
        except nats.errors.Error as error:
            raise HubUnavailable(f"cannot list the snapshots: {error}") from error
        found = []
        for subject in info.state.subjects or {}:
            name = base64.urlsafe_b64decode(subject.rsplit(".", 1)[-1]).decode(errors="replace")
            prefix, _, seq = name.partition("-")
            if prefix == "snapshot" and seq.isdigit():
                found.append(int(seq))
        return sorted(found)

    async def put_snapshot(self, seq: int, source: io.BufferedIOBase) -> None:
        """Keep the snapshot of log entry `seq` (read from `source`), creating the bucket if needed."""
        try:
            try:
                store = await self._js.object_store(self.snapshot_bucket)
            except nats.js.errors.BucketNotFoundError:
                store = await self._create_snapshot_bucket()
            await store.put(_snapshot_name(seq), source)
        except nats.errors.Error as error:
            raise HubUnavailable(f"the hub did not keep snapshot {seq}: {error}") from error

    async def get_snapshot(self, seq: int, sink: io.BufferedIOBase, timeout: float) -> None:
        """Write the snapshot of log entry `seq` to `sink` (the object store checks its SHA-256)."""
        try:
            store = await self._js.object_store(self.snapshot_bucket)
            await asyncio.wait_for(store.get(_snapshot_name(seq), writeinto=sink), timeout)
        except (nats.errors.Error, TimeoutError) as error:
            raise HubUnavailable(f"cannot read snapshot {seq} from the hub: {error!r}") from error

    async def drop_snapshot(self, seq: int) -> None:
        """Remove the snapshot of log entry `seq`, its name too (so that `snapshots` no longer lists it)."""
        name = _snapshot_name(seq)
        try:
            store = await self._js.object_store(self.snapshot_bucket)
            with contextlib.suppress(nats.js.errors.ObjectNotFoundError):
                await store.delete(name)
            meta = base64.urlsafe_b64encode(name.encode()).decode()
            stream = OBJ_STREAM_TEMPLATE.format(bucket=self.snapshot_bucket)
            await self._js.purge_stream(stream, subject=f"$O.{self.snapshot_bucket}.M.{meta}")
        except nats.errors.Error as error:
            raise HubUnavailable(f"the hub did not remove snapshot {seq}: {error}") from error

    async def _create_snapshot_bucket(self) -> ObjectStore:
        # Kept on as many nodes as the log (a single server keeps one copy); two seats creating it
        # together both succeed (the same configuration).
        config = api.ObjectStoreConfig(storage=api.StorageType.FILE, replicas=self.replicas)
        try:
            return await self._js.create_object_store(self.snapshot_bucket, config=config)
        except nats.js.errors.APIError as error:
            if error.err_code != NOT_CLUSTERED:
                raise
            config.replicas = 1
            return await self._js.create_object_store(self.snapshot_bucket, config=config)


def _snapshot_name(seq: int) -> str:
    return f"snapshot-{seq:012d}"
