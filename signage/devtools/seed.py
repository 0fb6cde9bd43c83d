"""A store full of realistic content, for benchmarks and screenshots: `seed_store`.

Several departments' playlists with trilingual items and library pictures, revisions in
every state of the workflow (drafts, submitted, approved and live, rejected with a reason,
live ones rolled back to an earlier approval), a schedule, people of every role, emergency
notices, and proof of play spread over the 90 days before the clock's end. Everything goes
through the store's repositories and, where one exists for the step, the services (people,
uploads, emergencies), so the audit log fills as it would on a real box.

Deterministic: the same counts and the same starting clock give the same content, byte for
byte (`random.Random(SEED)`, no wall time). The clock is a FakeClock the store was opened
with: seeding moves it forward over the 90 days, so every stamp looks like real use, and
leaves it at the end, "now" for whoever reads the store next.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import random
from typing import Callable

from signage.clock import FakeClock
from signage.content.models import (ClockItem, ImageItem, Message, MessageItem, Playlist,
                                    StandbyItem, TickerItem, Zone)
from signage.schedule.rules import Schedule
from signage.services import assets as asset_service
from signage.services import emergency, people, playnow
from signage.services.importer import IMPORT_ROLE
from signage.settings import Settings
from signage.store import Store
from signage.store.access import ROLES, Principal
from signage.store.records import Play

SEED = 13
SPAN = dt.timedelta(days=90)
# Every seeded person signs in with this (the bench does); never a real box's password.
PASSWORD = "seeded-password-13"
# The box's console, as `signage user create` acts: the people it makes need no second admin.
CONSOLE = Principal("console:seed", IMPORT_ROLE, "console")
SCHEDULE_REVISIONS = 3
EVERY_STATE = ("draft", "submitted", "rejected", "approved")
PLAY_BATCH = 20_000  # plays per transaction: seconds for 100,000, progress between

DEPARTMENTS = ("customs", "border-guard", "health", "tourism", "trade", "transport")
PLAYLIST_KINDS = ("notices", "welcome")
PEOPLE = {  # role: names (editors: one per department)
    "editor": tuple(f"editor.{d}" for d in DEPARTMENTS),
    "approver": ("approver.lan", "approver.minh", "approver.thu"),
    "technician": ("tech.hung", "tech.mai"),
    "admin": ("admin.quang", "admin.ha"),
}
MESSAGES = [  # (vi, en, zh)
    ("Cửa khẩu Thanh Thủy xin chào", "Welcome to Thanh Thuy Border Gate", "欢迎来到清水口岸"),
    ("Giờ mở cửa: 7:00 - 19:00 hằng ngày", "Open daily 7:00 - 19:00", "每日开放时间 7:00 - 19:00"),
    ("Vui lòng chuẩn bị hộ chiếu", "Please have your passport ready", "请准备好护照"),
    ("Khai báo hải quan tại quầy số 2", "Customs declarations at desk 2", "海关申报请到2号柜台"),
    ("Không mang hàng cấm qua biên giới", "Do not carry prohibited goods", "禁止携带违禁品过境"),
    ("Đeo khẩu trang khi có triệu chứng ho", "Wear a mask if you are coughing", "咳嗽时请戴口罩"),
    ("Xe tải xếp hàng bên phải", "Lorries queue on the right", "货车请在右侧排队"),
    ("Đổi tiền tại ngân hàng được cấp phép", "Change money at licensed banks", "请在持牌银行兑换货币"),
    ("Du lịch Hà Giang: cao nguyên đá Đồng Văn", "Visit Ha Giang: the Dong Van karst plateau",
     "河江旅游：同文石高原"),
    ("Giữ gìn vệ sinh chung", "Please keep the area clean", "请保持环境卫生"),
    ("Đường đèo có thể trơn trượt khi mưa", "Mountain roads are slippery in rain", "雨天山路湿滑"),
    ("Hàng hóa xuất khẩu kiểm tra tại bãi số 3", "Export goods are inspected at yard 3",
     "出口货物在3号场地检查"),
]
NOTICES = [("Đóng cửa khẩu do sạt lở đất", "Gate closed: landslide", "山体滑坡，口岸关闭"),
           ("Thử hệ thống", "System test", "系统测试")]
REASONS = ("Thiếu bản tiếng Trung chuẩn", "Ảnh nền quá tối, chữ khó đọc",
           "Sai giờ mở cửa", "Please shorten the ticker text")


@dataclasses.dataclass
class Seeded:
    """What was made: counts by kind, names to request pages with."""

    revisions: int = 0
    assets: int = 0
    plays: int = 0
    playlists: list[str] = dataclasses.field(default_factory=list)
    people: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    states: dict[str, int] = dataclasses.field(default_factory=dict)
    rollbacks: int = 0
    emergencies: list[int] = dataclasses.field(default_factory=list)
    pending: list[int] = dataclasses.field(default_factory=list)  # submitted, not decided


def seed_store(store: Store, *, revisions: int = 1000, assets: int = 500,
               plays: int = 100_000, clock: FakeClock,
               progress: Callable[[str], None] | None = None,
               settings: Settings | None = None) -> Seeded:
    """Fill an empty `store` (opened with `clock`) and return what was made. `settings`
    only decides the panel size uploads are scaled for (default: the default driver's)."""
    least = SCHEDULE_REVISIONS + len(DEPARTMENTS) * len(PLAYLIST_KINDS) + len(EVERY_STATE)
    if revisions < least:
        raise ValueError(f"--revisions: seed at least {least}: one per playlist, one in each "
                         "state and the schedule's")
    say = progress or (lambda _line: None)
    rng = random.Random(SEED)
    start = clock.now()
    settings = settings or Settings(store.database.data_dir, store.database.data_dir / "run")
    seeded = Seeded(people=_people(store))
    say(f"seed: {sum(map(len, seeded.people.values()))} people")
    refs = _assets(store, settings, rng, assets, clock, say)
    seeded.assets = len(refs)
    workflow = _Workflow(store, rng, refs, seeded, clock)
    workflow.run(revisions - SCHEDULE_REVISIONS, start + SPAN * 0.8, say)
    workflow.schedules(SCHEDULE_REVISIONS)
    _emergencies(store, clock, seeded)
    clock.advance(max((start + SPAN - clock.now()).total_seconds(), 0.0))
    seeded.plays = _plays(store, rng, seeded, start, plays, say)
    seeded.revisions = revisions
    return seeded


def _people(store: Store) -> dict[str, tuple[str, ...]]:
    for role in ROLES:
        for name in PEOPLE[role]:
            people.create_user(store.access, store.records, CONSOLE, name, role, PASSWORD)
    return dict(PEOPLE)


def png_bytes(number: int, rng: random.Random) -> bytes:
    """A tiny PNG whose pixels (and so whose sha256) are this number's own."""
    from PIL import Image

    pixels = bytes(rng.randrange(256) for _ in range(24 * 12 * 3))
    image = Image.frombytes("RGB", (24, 12), pixels)
    image.putpixel((0, 0), (number % 256, number // 256 % 256, 7))  # distinct even if rng repeats
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _assets(store: Store, settings: Settings, rng: random.Random, count: int,
            clock: FakeClock, say: Callable[[str], None]) -> list[str]:
    refs = []
    for number in range(count):
        department = DEPARTMENTS[number % len(DEPARTMENTS)]
        uploader = Principal(f"editor.{department}", "editor", "user")
        stored = asset_service.upload_image(store.assets, store.records, settings, uploader,
                                            io.BytesIO(png_bytes(number, rng)),
                                            f"{department}-poster-{number:03d}.png")
        refs.append(stored.id)
        clock.advance(60)
        if (number + 1) % 100 == 0:
            say(f"seed: {number + 1}/{count} assets")
    return refs


def _message(rng: random.Random) -> Message:
    vi, en, zh = rng.choice(MESSAGES)
    return Message(vi=vi, en=en, zh=zh)


def _item(rng: random.Random, refs: list[str]):
    kind = rng.choices(("message", "image", "ticker", "clock", "standby"), (5, 4, 2, 1, 1))[0]
    duration = float(rng.choice((6, 8, 10, 12, 15, 20)))
    if kind == "image" and refs:
        return ImageItem(kind="image", asset=rng.choice(refs), duration=duration,
                         fit=rng.choice(("cover", "contain")),
                         caption=_message(rng) if rng.random() < 0.4 else None)
    if kind == "ticker":
        return TickerItem(kind="ticker", text=_message(rng), duration=duration)
    if kind == "clock":
        return ClockItem(kind="clock", duration=duration)
    if kind == "standby":
        return StandbyItem(kind="standby", duration=duration)
    background = rng.choice(refs) if refs and rng.random() < 0.3 else None
    return MessageItem(kind="message", text=_message(rng), background=background,
                       duration=duration, template=rng.choice(("plain", "card")),
                       category=rng.choice(("notice", "info", "welcome", "warning")))


def playlist_document(name: str, rng: random.Random, refs: list[str]) -> Playlist:
    """A playlist of 3-10 items; one in four has a ticker strip under the main zone."""
    items = [_item(rng, refs) for _ in range(rng.randint(3, 10))]
    if rng.random() < 0.25:
        return Playlist(name=name, layout=[
            Zone(zone="main", rect=("0%", "0%", "100%", "80%"), items=items),
            Zone(zone="ticker", rect=("0%", "80%", "100%", "20%"), items=[
                TickerItem(kind="ticker", text=_message(rng), duration=30.0)])])
    return Playlist(name=name, items=items)


class _Workflow:
    """Drafts moved through the approval workflow as people would, the clock moving on."""

    def __init__(self, store: Store, rng: random.Random, refs: list[str], seeded: Seeded,
                 clock: FakeClock):
        self.store, self.rng, self.refs, self.seeded, self.clock = store, rng, refs, seeded, clock
        self.names = [f"{d}-{k}" for d in DEPARTMENTS for k in PLAYLIST_KINDS]
        self.approved: dict[str, list[int]] = {name: [] for name in self.names}

    def run(self, count: int, until: dt.datetime, say: Callable[[str], None]) -> None:
        begun = self.clock.now()
        self.step = max((until - begun).total_seconds() / count, 1.0)
        for number in range(count):
            name, fate = self._next(number, count)
            self._revision(name, fate)
            if fate == "approved" and len(self.approved[name]) > 2 and self.rng.random() < 0.08:
                self._rollback(name)
            self._move_to(begun + dt.timedelta(seconds=(number + 1) * self.step))
            if (number + 1) % 200 == 0:
                say(f"seed: {number + 1}/{count} playlist revisions")
        if not self.seeded.rollbacks and len(self.approved[self.names[0]]) > 1:
            self._rollback(self.names[0])  # even a small store has one
        self.seeded.playlists = list(self.names)

    def _next(self, number: int, count: int) -> tuple[str, str]:
        """The playlist and fate of revision `number`: each playlist goes live first, then
        one of each state (so even a small store has them all), then any fate."""
        if number < len(self.names):
            return self.names[number], "approved"
        if number < len(self.names) + len(EVERY_STATE):
            return self.names[0], EVERY_STATE[number - len(self.names)]
        return self.rng.choice(self.names), self._fate(number, count)

    def _move_to(self, moment: dt.datetime) -> None:
        self.clock.advance(max((moment - self.clock.now()).total_seconds(), 0.0))

    def _later(self, low: float, high: float) -> None:
        """Some of a revision's share of time passes (a step holds all of its workflow)."""
        self.clock.advance(self.step * self.rng.uniform(low, high))

    def _fate(self, number: int, count: int) -> str:
        recent = number > count * 0.9  # what is still waiting was written lately
        weights = (3, 3, 2, 2) if recent else (1, 0, 2, 7)
        return self.rng.choices(("draft", "submitted", "rejected", "approved"), weights)[0]

    def _revision(self, name: str, fate: str) -> int:
        author = f"editor.{name.rsplit('-', 1)[0]}"
        revisions = self.store.revisions
        revision = revisions.save_draft("playlist", playlist_document(name, self.rng, self.refs),
                                        author, role="editor")
        if fate != "draft":
            self._later(0.02, 0.2)
            revisions.submit(revision, author, role="editor")
        if fate in ("approved", "rejected"):
            self._later(0.1, 0.5)
            approver = self.rng.choice(PEOPLE["approver"])
            if fate == "approved":
                revisions.approve(revision, approver, "approver")
                self.approved[name].append(revision)
            else:
                revisions.reject(revision, approver, self.rng.choice(REASONS), role="approver")
        self.seeded.states[fate] = self.seeded.states.get(fate, 0) + 1
        if fate == "submitted":
            self.seeded.pending.append(revision)
        return revision

    def _rollback(self, name: str) -> None:
        earlier = self.rng.choice(self.approved[name][:-1])
        self._later(0.05, 0.2)
        self.store.revisions.rollback("playlist", name, earlier,
                                      self.rng.choice(PEOPLE["approver"]), role="approver")
        self.approved[name].append(earlier)  # live again: the next rollback may leave it
        self.seeded.rollbacks += 1

    def schedules(self, count: int) -> None:
        """`count` schedule revisions, all approved; the last one is live."""
        for number in range(count):
            rules = [{"name": f"{name}-hours", "playlist": name,
                      "time": f"{7 + 2 * n:02d}:00-{8 + 2 * n:02d}:00", "priority": 10 + n}
                     for n, name in enumerate(self.names[1::2][:5 + number % 2])]
            schedule = Schedule.model_validate({
                "name": "gate", "default": self.names[1], "rules": rules,
                "power": [{"time": "01:00-05:00"}],
                "brightness": {"mode": "sun", "day": 100, "night": 25}})
            revision = self.store.revisions.save_draft("schedule", schedule, "approver.lan",
                                                       role="approver")
            self.store.revisions.submit(revision, "approver.lan", role="approver")
            self.store.revisions.approve(revision, "approver.minh", "approver")
            self.seeded.states["approved"] = self.seeded.states.get("approved", 0) + 1
            self.clock.advance(3600)


def _emergencies(store: Store, clock: FakeClock, seeded: Seeded) -> None:
    """Two notices (one cancelled, one left to expire) and an expired 'play now'."""
    approver = Principal("approver.thu", "approver", "user")
    notices = []
    for vi, en, zh in NOTICES:
        notice = {"text": {"vi": vi, "en": en, "zh": zh}, "duration": "2h"}
        notices.append(emergency.post_emergency(store.desired, clock, approver,
                                                json.dumps(notice), as_json=True))
        clock.advance(1800)
    emergency.cancel_emergency(store.desired, approver, notices[-1].id)
    playnow.play_now_until(store.content, store.desired, clock, approver, seeded.playlists[0],
                           duration="1h")
    seeded.emergencies = [notice.id for notice in notices]


def _plays(store: Store, rng: random.Random, seeded: Seeded, start: dt.datetime, count: int,
           say: Callable[[str], None]) -> int:
    """`count` plays spread evenly over the 90 days from `start`, in batched transactions."""
    gap = SPAN.total_seconds() / max(count, 1)
    live = {name: store.content.live_playlist(name) for name in seeded.playlists}
    emergencies = seeded.emergencies
    batch, stored = [], 0
    for number in range(count):
        begins = start + dt.timedelta(seconds=number * gap)
        batch.append(_play(rng, begins, gap, live, emergencies))
        if len(batch) == PLAY_BATCH or number == count - 1:
            stored += store.records.record_plays(batch)
            batch = []
            say(f"seed: {stored}/{count} plays")
    return stored


def _play(rng: random.Random, begins: dt.datetime, gap: float, live: dict,
          emergencies: list[int]) -> Play:
    seconds = round(min(gap, rng.choice((6, 8, 10, 12, 15, 20))), 3)
    ends = begins + dt.timedelta(seconds=seconds)
    frame = hashlib.sha256(rng.randbytes(16)).hexdigest()
    trusted = rng.random() > 0.01
    if emergencies and rng.random() < 0.002:
        return Play(begins, ends, "main", None, None, "message", NOTICES[0][0], None, frame,
                    trusted, rng.choice(emergencies))
    name = rng.choice(list(live))  # in the order the playlists were named: deterministic
    content = live[name]
    items = _items_of(content.playlist)
    index = rng.randrange(len(items))
    item = items[index]
    label = item.text.vi if hasattr(item, "text") else item.kind
    return Play(begins, ends, "main", name, index, item.kind, label[:200],
                content.revision, frame, trusted)


def _items_of(playlist: Playlist) -> list:
    return list(playlist.items) if playlist.items else list(playlist.layout[0].items)
