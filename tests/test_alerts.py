"""Alerts (dijkwacht/alerts.py): the rules of [meldingen], the badge, and the daily digest —
sent to a local SMTP server started here (aiosmtpd) and read back: counts and the link,
never a key, an item id, an address or a name."""
from __future__ import annotations

import email
import email.policy
import json
import socket
from datetime import date, datetime, timezone

import pytest

from dijkwacht import accounts, alerts, audit, clock, config, followup, linkage, state
from dijkwacht.week import Item

KEY_A = "a1b2c3d4e5" + "f6" * 27
KEY_B = "0f1e2d3c4b" + "5a" * 27
ADDRESS = "Voorstraat 12, 3311 CZ"
NAME = "Jan de Vries"
TODAY = date(2026, 6, 10)


def item(id, kind, priority=1, *, wijk="WK050501", focus=(), since=date(2026, 6, 9), latest=date(2026, 6, 9),
         links=()):
    return Item(id=id, kind=kind, priority=priority, score=1.0, since=since, latest=latest,
                line=f"Nieuwe registratie bij {ADDRESS} ({NAME}), sleutel {linkage.short(KEY_A)}",
                explanation=f"{NAME} woont op {ADDRESS}", wijk=wijk, buurt="BU05050101", focus=focus,
                links=links)


# Planted: two keyed items, a rise in two wijken, a late delivery (city-wide), and items the
# rules leave out (a kind not in soorten, a priority below the minimum).
ITEMS = [
    item(f"bekende_sleutel:{KEY_A}", "bekende_sleutel", focus=("Spuiboulevard",), links=(linkage.short(KEY_A),)),
    item(f"bekende_sleutel:{KEY_B}", "bekende_sleutel", 2, wijk="WK050502", since=date(2026, 5, 1),
         links=(KEY_B,)),
    item("stijging:WK050501|hennep", "stijging", 1, focus=("Spuiboulevard", "Stationsgebied")),
    item("stijging:WK050502|signalen", "stijging", 2, wijk="WK050502", since=date(2026, 5, 20)),
    item("levering:verdachte_transacties", "levering", 1, wijk=None),
    item("zonder_maatregel:WK050501", "zonder_maatregel", 1),                     # kind not alerting
    item("stijging:WK050503|hennep", "stijging", 3, wijk="WK050503"),              # priority too low
]
WIJKEN = {"WK050501": "Binnenstad", "WK050502": "Noordflank", "WK050503": "Oost"}


def rules_file(tmp_path, monkeypatch, text='soorten = ["stijging", "bekende_sleutel", "levering"]\n'
               'minimale_prioriteit = 2\nlink = "https://dijkwacht.gemeente.test/week"\ndigest = true\n'):
    path = tmp_path / f"gemeente-{abs(hash(text))}.toml"
    path.write_text("[meldingen]\n" + text, encoding="utf-8")
    monkeypatch.setenv("DIJKWACHT_GEMEENTE", str(path))
    return path


# --- rules and badge ---------------------------------------------------------------------------

def test_the_shipped_rules_parse():
    found = config.meldingen()
    assert found == config.Meldingen(("stijging", "bekende_sleutel", "levering"), 2,
                                     "http://localhost:8501/week", False)
    assert alerts.rules() == found


def test_absent_section_gives_the_defaults(tmp_path, monkeypatch):
    path = tmp_path / "leeg.toml"
    path.write_text("[gemeente]\nnaam = 'X'\n", encoding="utf-8")
    monkeypatch.setenv("DIJKWACHT_GEMEENTE", str(path))
    assert config.meldingen() == config.Meldingen(config.DEFAULT_ALERT_KINDS, 2, config.DEFAULT_ALERT_LINK, False)


@pytest.mark.parametrize("text, key", [
    ("soort = ['stijging']\n", "soort: onbekende sleutel"),
    ("soorten = 'stijging'\n", "soorten"),
    ("soorten = ['stijging', 'stijging']\n", "soorten"),
    ("minimale_prioriteit = 0\n", "minimale_prioriteit"),
    ("minimale_prioriteit = true\n", "minimale_prioriteit"),
    ("link = 'javascript:alert(1)'\n", "link"),
    ("link = 'https://x/week\\r\\nBcc: iemand@x.nl'\n", "link"),
    ("digest = 'ja'\n", "digest"),
])
def test_wrong_rules_name_the_key(tmp_path, monkeypatch, text, key):
    rules_file(tmp_path, monkeypatch, text)
    with pytest.raises(config.MeldingenError, match=f"\\[meldingen\\] {key}"):
        config.meldingen()


def test_an_unknown_kind_names_the_key(tmp_path, monkeypatch):
    rules_file(tmp_path, monkeypatch, "soorten = ['stijgingen']\n")
    with pytest.raises(config.MeldingenError, match="soorten: onbekende soort 'stijgingen'"):
        alerts.rules()


def test_badge_counts_open_items_matching_the_rules(tmp_path, monkeypatch):
    rules_file(tmp_path, monkeypatch)
    assert alerts.badge(ITEMS) == 5
    con = state.connect(tmp_path / "state.sqlite")
    try:
        accounts.ensure_test_account(con, "analist", "anna")
        followup.record(con, ITEMS[0].id, status="afgehandeld", reason="maatregel genomen", assignee="anna",
                        actor="anna", role="analist", latest=ITEMS[0].latest)
        followup.record(con, ITEMS[2].id, status="opgepakt", reason="in behandeling bij OOV", assignee="anna",
                        actor="anna", role="analist", latest=ITEMS[2].latest)
        pairs = followup.open_items(ITEMS, followup.current(con))
    finally:
        con.close()
    assert alerts.badge(pairs) == 4                      # the handled one is off; taken up still counts
    strict = config.Meldingen(("levering",), 1, config.DEFAULT_ALERT_LINK, False)
    assert alerts.badge(pairs, strict) == 1
    assert alerts.badge([]) == 0


# --- SMTP settings -----------------------------------------------------------------------------

@pytest.fixture
def no_secrets(tmp_path, monkeypatch):
    """No secrets.toml and no SMTP environment (the developer's own must not leak in)."""
    monkeypatch.setattr(config, "ROOT", tmp_path)
    for key in config.SMTP_KEYS:
        monkeypatch.delenv(config.SMTP_ENV + key.upper(), raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    return tmp_path


def test_smtp_from_secrets_with_env_overrides(no_secrets, monkeypatch):
    (no_secrets / ".streamlit").mkdir()
    (no_secrets / ".streamlit" / "secrets.toml").write_text(
        '[smtp]\nhost = "smtp.gemeente.test"\nuser = "dijkwacht"\npassword = "Zeer-Geheim-42"\n'
        'from = "dijkwacht@gemeente.test"\nto = ["oov@gemeente.test", "riec@gemeente.test"]\n', encoding="utf-8")
    found = config.smtp()
    assert (found.host, found.port, found.starttls, found.to) == (
        "smtp.gemeente.test", 587, True, ("oov@gemeente.test", "riec@gemeente.test"))
    assert found.password == "Zeer-Geheim-42" and "Zeer-Geheim-42" not in repr(found)
    monkeypatch.setenv("DIJKWACHT_SMTP_PORT", "2525")
    monkeypatch.setenv("DIJKWACHT_SMTP_STARTTLS", "nee")
    monkeypatch.setenv("DIJKWACHT_SMTP_TO", "a@x.test, b@x.test")
    found = config.smtp()
    assert (found.port, found.starttls, found.to) == (2525, False, ("a@x.test", "b@x.test"))
    creds = no_secrets / "creds"
    creds.mkdir()
    (creds / config.SMTP_CREDENTIAL).write_text("uit-de-kluis\n", encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert config.smtp().password == "uit-de-kluis"


@pytest.mark.parametrize("env, key", [
    ({}, "host"),
    ({"HOST": "smtp.x", "FROM": "geen-adres"}, "from"),
    ({"HOST": "smtp.x", "FROM": "a@x.test", "TO": ""}, "to"),
    ({"HOST": "smtp.x", "FROM": "a@x.test", "TO": "b@x.test\r\nBcc: c@x.test"}, "to"),
    ({"HOST": "smtp.x", "FROM": "a@x.test", "TO": "b@x.test", "PORT": "99999"}, "port"),
    ({"HOST": "smtp.x", "FROM": "a@x.test", "TO": "b@x.test", "STARTTLS": "misschien"}, "starttls"),
])
def test_wrong_smtp_settings_name_the_key(no_secrets, monkeypatch, env, key):
    for k, v in env.items():
        monkeypatch.setenv(config.SMTP_ENV + k, v)
    monkeypatch.setenv(config.SMTP_ENV + "PASSWORD", "Zeer-Geheim-42")
    with pytest.raises(config.MeldingenError, match=f"\\[smtp\\] {key}") as caught:
        config.smtp()
    assert "Zeer-Geheim-42" not in str(caught.value)


def test_no_password_over_an_unencrypted_connection():
    settings = config.Smtp(host="smtp.gemeente.test", port=25, user="dijkwacht", password="Zeer-Geheim-42",
                           sender="a@x.test", to=("b@x.test",), starttls=False)
    with pytest.raises(alerts.DigestError, match="onversleuteld"):
        alerts.send(alerts.EmailMessage(), settings)


# --- the digest through a local SMTP server ----------------------------------------------------

class Sink:
    """aiosmtpd handler: keeps what it receives."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(no_secrets, monkeypatch):
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {"HOST": "127.0.0.1", "PORT": str(port), "STARTTLS": "false", "FROM": "dijkwacht@gemeente.test",
           "TO": "oov@gemeente.test,riec@gemeente.test"}
    for k, v in env.items():
        monkeypatch.setenv(config.SMTP_ENV + k, v)
    yield sink
    controller.stop()


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A served database path (the items come from the stubbed item source), a state file
    with one handled item, the clock at TODAY 07:00."""
    monkeypatch.delenv(audit.ANCHOR_ENV, raising=False)
    monkeypatch.setenv(audit.SYSLOG_ENV, "uit")
    db = tmp_path / "dijkwacht.duckdb"
    db.write_bytes(b"")
    state_file = tmp_path / "state.sqlite"
    con = state.connect(state_file)
    try:
        accounts.ensure_test_account(con, "beheerder", "bert")
        # Handled: a rise in Noordflank; it stays out of the digest (nothing new since).
        followup.record(con, ITEMS[3].id, status="geen actie", reason="onvoldoende aanleiding", assignee=None,
                        actor="bert", role="beheerder", latest=ITEMS[3].latest)
        # Handled on 1 June, new events since: back on the list.
        followup.record(con, ITEMS[1].id, status="afgehandeld", reason="maatregel genomen", assignee=None,
                        actor="bert", role="beheerder", latest=date(2026, 6, 1))
        followup.record(con, ITEMS[2].id, status="opgepakt", reason="doorgezet naar politie", assignee="bert",
                        actor="bert", role="beheerder", latest=ITEMS[2].latest)
    finally:
        con.close()
    asked = []

    def source(path):
        asked.append(path)
        return list(ITEMS)

    monkeypatch.setattr(alerts, "load_items", source)
    monkeypatch.setattr(alerts, "wijk_names", lambda path: dict(WIJKEN))
    clock.set_time(datetime(2026, 6, 10, 5, 0, tzinfo=timezone.utc))
    yield db, state_file, asked
    clock.reset()


def received_text(sink):
    [envelope] = sink.received
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return envelope, msg, msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_the_digest_reaches_the_mail_server_with_counts_and_link_only(tmp_path, monkeypatch, smtp_server,
                                                                      served, capsys):
    rules_file(tmp_path, monkeypatch)
    db, state_file, asked = served
    code = alerts.main(["digest", "--db", str(db), "--state", str(state_file)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert asked == [db]
    envelope, msg, text = received_text(smtp_server)
    assert envelope.mail_from == "dijkwacht@gemeente.test"
    assert envelope.rcpt_tos == ["oov@gemeente.test", "riec@gemeente.test"]
    assert msg["Subject"] == "Dijkwacht: 4 punten op de werklijst (10 jun 2026)"

    # The counts: 4 open matching items (ITEMS 0, 1, 2, 4): 0 and 4 untouched, 1 back, 2 taken up.
    assert "staan op 10 jun 2026 4 punten open" in text
    assert "Daarvan zijn 2 nog niet opgepakt en is 1 terug op de lijst" in " ".join(text.split())
    assert "- Nieuwe registratie op een bekende sleutel: 2\n" in text
    assert "- Stijging boven de verwachting: 1\n" in text
    assert "- Levering te laat: 1\n" in text
    assert "Probleem zonder maatregel" not in text.split("Per soort:")[1]
    assert "- Binnenstad: 2\n- Noordflank: 1\n- Hele stad (geen wijk): 1\n" in text
    assert "- Spuiboulevard: 2\n- Stationsgebied: 1\n" in text
    assert "Oost" not in text                                   # priority 3: not alerting
    assert "https://dijkwacht.gemeente.test/week" in text

    # Never keys, item ids, addresses or names — anywhere in the message as sent.
    raw = envelope.content.decode("utf-8", errors="replace") + text
    for it in ITEMS:
        assert it.id not in raw
    for key in (KEY_A, KEY_B):
        assert key not in raw and linkage.short(key) not in raw and key[:6] not in raw
    for leak in (ADDRESS, "Voorstraat", NAME, "Vries", "BU05050101"):
        assert leak not in raw

    # The mail is an export in the audit log (counts and the body's hash; no recipients' addresses).
    con = state.connect(state_file)
    try:
        row = dict(con.execute("SELECT * FROM auditlog WHERE actie = 'export'").fetchone())
        assert (row["actor"], row["object"], row["rijen"], row["herkomst"]) == ("meldingen", "dagelijkse samenvatting",
                                                                               4, "cli")
        assert json.loads(row["filters"]) == {"ontvangers": 2}
        assert row["export_sha256"] == audit.sha256(text.encode("utf-8"))
        assert audit.verify(con)[0], audit.verify(con)[1]
    finally:
        con.close()
    assert "verzonden aan 2 ontvanger(s)" in out.out


def test_the_digest_is_off_by_default(smtp_server, served, capsys, monkeypatch, tmp_path):
    rules_file(tmp_path, monkeypatch, "digest = false\n")
    db, state_file, asked = served
    assert alerts.main(["digest", "--db", str(db), "--state", str(state_file)]) == 0
    assert smtp_server.received == [] and asked == []
    assert "staat uit" in capsys.readouterr().out
    assert alerts.main(["digest", "--db", str(db), "--state", str(state_file), "--altijd"]) == 0
    assert len(smtp_server.received) == 1


def test_show_prints_the_mail_and_sends_nothing(smtp_server, served, capsys, monkeypatch, tmp_path):
    rules_file(tmp_path, monkeypatch)
    db, state_file, _ = served
    assert alerts.main(["digest", "--db", str(db), "--state", str(state_file), "--toon"]) == 0
    assert smtp_server.received == []
    shown = capsys.readouterr().out
    assert "Per soort:" in shown and KEY_A not in shown


def test_nothing_to_report_sends_nothing(smtp_server, served, capsys, monkeypatch, tmp_path):
    rules_file(tmp_path, monkeypatch, "soorten = ['onbeantwoord']\ndigest = true\n")
    db, state_file, _ = served
    assert alerts.main(["digest", "--db", str(db), "--state", str(state_file)]) == 0
    assert smtp_server.received == [] and "Niets te melden" in capsys.readouterr().out


def test_a_failed_send_says_so_without_the_password(smtp_server, served, capsys, monkeypatch, tmp_path):
    """The local server offers no login: the attempt fails; the password is never printed."""
    rules_file(tmp_path, monkeypatch)
    db, state_file, _ = served
    monkeypatch.setenv("DIJKWACHT_SMTP_USER", "dijkwacht")
    monkeypatch.setenv("DIJKWACHT_SMTP_PASSWORD", "Zeer-Geheim-42")
    assert alerts.main(["digest", "--db", str(db), "--state", str(state_file)]) == 1
    out = capsys.readouterr()
    assert "niet verzonden" in out.err and "Zeer-Geheim-42" not in out.out + out.err
    assert smtp_server.received == []


def test_a_body_with_a_key_is_refused():
    found = config.Meldingen(("bekende_sleutel",), 3, config.DEFAULT_ALERT_LINK, True)
    settings = config.Smtp(host="h", port=25, user=None, password=None, sender="a@x.test", to=("b@x.test",),
                           starttls=False)
    keyed = [item(f"bekende_sleutel:{KEY_A}", "bekende_sleutel")]
    # A wijk "name" that carries a key (a broken names table) must not go out.
    with pytest.raises(alerts.DigestError, match="sleutel"):
        alerts.message(keyed, found=found, settings=settings, today=TODAY,
                       wijk_names={"WK050501": f"Wijk {KEY_A[:12]}"})
    with pytest.raises(alerts.DigestError):
        alerts.check_clean(f"zie {ITEMS[2].id}", ITEMS)
    msg = alerts.message(keyed, found=found, settings=settings, today=TODAY, wijk_names=WIJKEN)
    assert KEY_A not in msg.as_string()


def test_the_cli_reads_the_real_work_list(demo_db, tmp_path, monkeypatch, capsys):
    """The CLI's own item source (week.items over the served database), shown not sent: on
    the demo the mail names no item id and no key of the items."""
    monkeypatch.delenv(audit.ANCHOR_ENV, raising=False)
    monkeypatch.setenv(audit.SYSLOG_ENV, "uit")
    state_file = tmp_path / "state.sqlite"
    items = alerts.load_items(demo_db)
    assert items and all(it.kind in alerts.week.KINDS for it in items)
    assert alerts.main(["digest", "--db", str(demo_db), "--state", str(state_file), "--toon"]) == 0
    shown = capsys.readouterr().out
    text = email.message_from_string(shown, policy=email.policy.default).get_body(("plain",)).get_content()
    assert "Per soort:" in text and config.meldingen().link in text
    for it in items:
        assert it.id not in text
        for link in it.links:
            assert not alerts._KEYLIKE.fullmatch(link) or link not in text
