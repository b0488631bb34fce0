"""Staff pages: list, search, create, edit, avatars, disable/enable, delete, and the escalation guards."""
import io
import re
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_staff
from webapp.extensions import db
from webapp.models import Account, AccountSession, AuditEntry, Department, StaffRight, staff_departments
from webapp.text import fold

NEW_PASSWORD = "a-brand-new-password"


def form(**overrides):
    """A valid staff form; overrides replace fields, None drops one."""
    data = {"login": "jdoe", "name_en": "John Doe", "name_ru": "Джон Доу", "password": "s3cret-password",
            "email": "John.Doe@Example.COM", "phone": "+44 20 7946 0958"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_form(account, **overrides):
    """The form as the page would submit it for an existing account, with overrides."""
    data = {"login": account.login, "name_en": account.name_en, "name_ru": account.name_ru or "",
            "password": "", "email": account.email or f"{account.login}@example.com", "phone": account.phone or "",
            "departments": [str(d.id) for d in account.departments],
            "version": str(getattr(account, "version", 1))}
    if account.full_access:
        data["full_access"] = "y"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def committed():
    """Forget anything a request left uncommitted, so assertions see the database."""
    db.session.rollback()
    db.session.expire_all()


def staff_by_login(login_name):
    committed()
    return db.session.scalar(select(Account).where(Account.login_key == fold(login_name)))


def staff_count():
    committed()
    return db.session.scalar(select(func.count()).select_from(Account))


def as_client_of(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def image_bytes(fmt, size=(120, 90), exif=False, colour=(200, 40, 40)):
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x0112] = 1  # Orientation
        kwargs["exif"] = data.tobytes()
    if fmt == "GIF":
        image = image.convert("P")
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def png_claiming(width, height):
    """A tiny PNG whose header declares the given size: a decompression bomb's calling card."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def upload(data, name):
    return (io.BytesIO(data), name)


# Route × role matrix -------------------------------------------------------------------------------

@pytest.fixture
def bob(app):
    department = make_department("Billing", rights=["payments.view"])
    account = make_staff("bob", departments=[department])
    db.session.commit()
    return account


ROUTES = [
    # method, path template, right needed, expected status for the admin
    ("GET", "/provider/staff", "staff.view", 200),
    ("GET", "/provider/staff/new", "staff.edit", 200),
    ("POST", "/provider/staff/new", "staff.edit", 302),
    ("GET", "/provider/staff/{id}", "staff.view", 200),
    ("POST", "/provider/staff/{id}", "staff.edit", 302),
    ("POST", "/provider/staff/{id}/disable", "staff.edit", 302),
    ("POST", "/provider/staff/{id}/enable", "staff.edit", 302),
    ("GET", "/provider/staff/{id}/delete", "staff.edit", 200),
    ("POST", "/provider/staff/{id}/delete", "staff.edit", 302),
]


def call(client, method, path, target):
    url = path.format(id=target.id)
    if method == "GET":
        return client.get(url)
    if url.endswith("/new"):
        return client.post(url, data=form())
    if url == f"/provider/staff/{target.id}":
        return client.post(url, data=edit_form(target, name_en="Changed Name"))
    return client.post(url)


def snapshot(target):
    committed()
    account = db.session.get(Account, target.id)
    return (staff_count(), account and (account.name_en, account.active, account.login))


@pytest.mark.parametrize("method,path,right,status", ROUTES)
def test_admin_is_allowed(as_admin, bob, method, path, right, status):
    assert call(as_admin, method, path, bob).status_code == status


@pytest.mark.parametrize("method,path,right,status", ROUTES)
def test_staff_without_the_right_gets_403_and_nothing_changes(app, bob, method, path, right, status):
    # Holding staff.view but not staff.edit is the sharpest case for the edit routes.
    lacking = make_staff("lacking", rights=[] if right == "staff.view" else ["staff.view"])
    client = as_client_of(app, lacking)
    before = snapshot(bob)
    response = call(client, method, path, bob)
    assert response.status_code == 403
    assert snapshot(bob) == before


@pytest.mark.parametrize("method,path,right,status", ROUTES)
def test_anonymous_is_sent_to_login(client, bob, method, path, right, status):
    before = snapshot(bob)
    response = call(client, method, path, bob)
    assert response.status_code == 302 and response.location.startswith("/login")
    assert snapshot(bob) == before


@pytest.mark.parametrize("method,path,right,status", ROUTES)
def test_client_account_gets_403(app, bob, method, path, right, status):
    customer = make_customer_account("customer")
    client = as_client_of(app, customer)
    before = snapshot(bob)
    assert call(client, method, path, bob).status_code == 403
    assert snapshot(bob) == before


@pytest.mark.parametrize("method,path", [(m, p) for m, p, _r, _s in ROUTES if "{id}" in p])
def test_missing_or_client_id_is_404(as_admin, method, path):
    customer = make_customer_account("customer2")
    db.session.commit()
    missing = type("Missing", (), {"id": 99999, "login": "x", "name_en": "x", "name_ru": None, "email": "x@x.io",
                                   "phone": None, "departments": [], "full_access": False})()
    assert call(as_admin, method, path, missing).status_code == 404
    assert call(as_admin, method, path, customer).status_code == 404
    assert staff_by_login("customer2") is not None


def test_client_avatar_is_404(as_admin):
    customer = make_customer_account("customer3")
    db.session.commit()
    assert as_admin.get(f"/provider/staff/{customer.id}/avatar").status_code == 404


# The list ------------------------------------------------------------------------------------------

def test_list_shows_staff_with_departments_badges_and_no_clients(as_admin, admin):
    sales = make_department("Sales", name_ru="Продажи")
    make_staff("carol", name="Carol Smith", name_ru="Кэрол Смит", departments=[sales], email="carol@example.com")
    make_staff("dave", active=False)
    make_customer_account("clientele")
    db.session.commit()
    page = as_admin.get("/provider/staff").text
    assert "carol" in page and "Carol Smith" in page and "carol@example.com" in page and "Sales" in page
    assert "clientele" not in page
    assert "Full access" in page  # the admin
    assert re.search(r'<tr class="row-disabled"[^>]*>.*?dave.*?Disabled', page, re.S)
    assert f'src="/provider/staff/{admin.id}/avatar?v=' in page
    assert f'href="/provider/staff/{admin.id}/rights"' in page
    as_admin.post("/language", data={"lang": "ru"})
    page = as_admin.get("/provider/staff").text
    assert "Кэрол Смит" in page and "Продажи" in page


@pytest.mark.parametrize("query,found", [
    ("carol", True), ("CAROL", True), ("smith", True), ("кэрол", True), ("Кэрол", True),
    ("CAROL@EXAMPLE", True), ("nobody-like-this", False), ("%", False), ("_", False),
])
def test_search_matches_login_names_and_email(as_admin, query, found):
    make_staff("carol", name="Carol Smith", name_ru="Кэрол Смит", email="carol@example.com")
    make_staff("erin", name="Erin Jones", email="erin@example.org")
    make_customer_account("carolclient", name="Carol Client")
    db.session.commit()
    page = as_admin.get("/provider/staff", query_string={"q": query}).text
    assert ('href="/provider/staff/' in page and ">carol</a>" in page) is found
    assert ">erin</a>" not in page and "carolclient" not in page
    if not found:
        assert "No staff member matches" in page


def test_pagination_keeps_the_query(as_admin, app):
    for i in range(12):
        make_staff(f"pager{i:02d}")
    make_staff("other")
    db.session.commit()
    per_page = app.config["STAFF_PER_PAGE"]
    first = as_admin.get("/provider/staff", query_string={"q": "pager"}).text
    assert first.count('class="avatar avatar-md"') == per_page
    assert "q=pager" in first and "page=2" in first
    last = as_admin.get("/provider/staff", query_string={"q": "pager", "page": 3}).text
    assert last.count('class="avatar avatar-md"') == 12 - 2 * per_page
    assert "page=2" in last and "q=pager" in last and "other" not in last
    beyond = as_admin.get("/provider/staff", query_string={"page": 40})  # the list shows its last page
    assert beyond.status_code == 200 and "Page 3 of 3" in beyond.text
    beyond = as_admin.get("/provider/staff", query_string={"q": "pager", "page": 40})  # a search is not counted
    assert beyond.status_code == 404 and "There is nothing on this page" in beyond.text
    assert re.search(r'href="/provider/staff/?\?q=pager">Go to the first page', beyond.text)


def test_list_query_count_is_constant(as_admin, app, count_queries):
    app.config["STAFF_PER_PAGE"] = 100
    departments = [make_department(f"Team {i}") for i in range(3)]

    def add(n):
        for _ in range(n):
            make_staff(departments=departments[:2])
        db.session.commit()

    add(2)  # with the admin: 3 staff
    with count_queries() as few:
        assert as_admin.get("/provider/staff").status_code == 200
    add(27)  # 30 staff
    with count_queries() as many:
        page = as_admin.get("/provider/staff").text
    assert page.count('class="avatar avatar-md"') == 30
    assert many.n == few.n, many.statements
    rows = [s for s in many.statements if not s.lstrip().upper().startswith("SELECT COUNT(")]
    assert not any(re.search(r"accounts\.avatar(?!_)", s) for s in rows)  # the blob is never fetched


# Create and edit -----------------------------------------------------------------------------------

def test_form_labels_are_bound_and_password_can_be_generated(as_admin):
    page = as_admin.get("/provider/staff/new").text
    for field_id, label in [("login", "Login"), ("name_en", "Full name (English)"),
                            ("name_ru", "Full name (Русский)"), ("password", "Password"), ("email", "Email"),
                            ("phone", "Phone number"), ("full_access", "Full access privileges"),
                            ("avatar", "Avatar")]:
        assert re.search(rf'<label[^>]*for="{field_id}"[^>]*>{re.escape(label)}</label>', page), label
        assert f'id="{field_id}"' in page
    assert "<legend>Departments</legend>" in page
    assert re.search(r'<input id="departments-0" name="departments" type="checkbox" value="\d+">\s*'
                     r'<label for="departments-0">Sales department</label>', page)
    assert re.search(r'<button type="button" class="btn" data-generate-password="password">Generate</button>', page)
    assert re.search(r'<div class="password-reveal" id="password-generated" hidden>\s*<span>[^<]*</span>\s*'
                     r'<code class="one-line"></code>\s*<button type="button" class="btn btn-sm" '
                     r'data-copy-from="#password-generated code"', page)
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'type="file"', page) and 'accept="image/png,image/jpeg,image/gif' in page
    assert "Remove avatar" not in page
    assert "style=" not in page and "<script>" not in page and " onclick" not in page


def test_create_saves_everything_normalized(as_admin, admin):
    sales = make_department("Sales team")
    db.session.commit()
    response = as_admin.post("/provider/staff/new", data=form(
        login="JDoe", departments=[str(sales.id)], full_access="y",
        avatar=upload(image_bytes("PNG"), "me.png")))
    assert response.status_code == 302
    account = staff_by_login("jdoe")
    assert response.location == f"/provider/staff/{account.id}"
    assert account.login == "JDoe" and account.login_key == "jdoe"
    assert account.name_en == "John Doe" and account.name_ru == "Джон Доу"
    assert account.email == "John.Doe@example.com"
    assert account.phone == "+442079460958"
    assert account.password_hash != "s3cret-password" and account.check_password("s3cret-password")
    assert [d.name_en for d in account.departments] == ["Sales team"]
    assert account.full_access and account.active and not account.builtin
    assert account.avatar_version == 1 and account.avatar.startswith(b"\x89PNG")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.create"))
    assert entry.actor_id == admin.id and "jdoe" in entry.target.lower()
    assert "Staff member John Doe created." in as_admin.get(response.location).text
    assert login(as_admin.application.test_client(), "jdoe", "s3cret-password").status_code == 302


def test_phone_with_default_region(as_admin, app):
    app.config["PHONE_DEFAULT_REGION"] = "GB"
    assert as_admin.post("/provider/staff/new", data=form(phone="020 7946 0958")).status_code == 302
    assert staff_by_login("jdoe").phone == "+442079460958"


def test_phone_is_optional(as_admin):
    assert as_admin.post("/provider/staff/new", data=form(phone="")).status_code == 302
    assert staff_by_login("jdoe").phone is None


@pytest.mark.parametrize("overrides,message", [
    ({"login": ""}, "Enter a login."),
    ({"login": "j"}, "The login must be 2 to 64 characters long."),
    ({"login": "j" * 65}, "The login must be 2 to 64 characters long."),
    ({"login": "john doe"}, "may contain only Latin letters"),
    ({"login": "-john"}, "must start with a letter or digit"),
    ({"login": ".john"}, "must start with a letter or digit"),
    ({"login": "john<b>"}, "may contain only Latin letters"),
    ({"login": "ADMIN"}, "This login is already taken."),
    ({"name_en": ""}, "Enter the full name in English."),
    ({"name_en": "   "}, "Enter the full name in English."),
    ({"name_en": "x" * 201}, "at most 200 characters"),
    ({"name_ru": "я" * 201}, "at most 200 characters"),
    ({"email": ""}, "Enter an email address."),
    ({"email": "not-an-email"}, "This is not a valid email address."),
    ({"email": "a@b@example.com"}, "This is not a valid email address."),
    ({"phone": "020 7946 0958"}, "international form"),
    ({"phone": "+1 000"}, "This is not a valid phone number."),
    ({"phone": "call me"}, "international form"),
    ({"password": ""}, "Enter a password, or generate one."),
    ({"password": "short"}, "The password must be 10 to 128 characters long."),
    ({"password": "x" * 129}, "The password must be 10 to 128 characters long."),
    ({"login": "LongLogin12", "password": "longlogin12"}, "must not be the same as the login"),
    ({"departments": "99999"}, "not a valid choice"),
])
def test_create_validation_names_the_field_and_saves_nothing(as_admin, overrides, message):
    before = staff_count()
    response = as_admin.post("/provider/staff/new", data=form(**overrides))
    assert response.status_code == 422
    assert message in response.text
    assert re.search(r'<ul class="field-errors" id="(\w+)-errors">', response.text)
    assert staff_count() == before


def test_edit_changes_fields_and_keeps_password_when_blank(as_admin, bob):
    support = make_department("Support desk", rights=["support.tickets"])
    db.session.commit()
    old_hash = bob.password_hash
    response = as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(
        bob, login="Robert", name_en="Robert Brown", name_ru="", email="ROBERT@EXAMPLE.COM",
        phone="+1 650-253-0000", departments=[str(support.id)]))
    assert response.status_code == 302
    bob = staff_by_login("robert")
    assert (bob.login, bob.name_en, bob.name_ru) == ("Robert", "Robert Brown", None)
    assert bob.email == "ROBERT@example.com" and bob.phone == "+16502530000"
    assert [d.name_en for d in bob.departments] == ["Support desk"]
    assert bob.password_hash == old_hash


def test_edit_page_is_prefilled(as_admin, bob):
    page = as_admin.get(f"/provider/staff/{bob.id}").text
    assert 'value="bob"' in page and 'value="bob@example.com"' in page
    assert re.search(r'<input checked id="departments-\d" name="departments" type="checkbox" '
                     r'value="\d+">\s*<label for="departments-\d">Billing</label>', page)
    assert f'href="/provider/staff/{bob.id}/rights"' in page
    assert f'action="/provider/staff/{bob.id}/disable"' in page
    assert f'href="/provider/staff/{bob.id}/delete"' in page


def test_edit_validation_saves_nothing(as_admin, bob):
    make_staff("taken")
    db.session.commit()
    for overrides, message in [({"login": "TAKEN"}, "This login is already taken."),
                               ({"password": "short"}, "10 to 128"),
                               ({"password": "BOB-BOB-BOB", "login": "bob-bob-bob"}, "same as the login"),
                               ({"email": "nope"}, "not a valid email")]:
        response = as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(bob, name_en="Changed", **overrides))
        assert response.status_code == 422 and message in response.text
        assert staff_by_login("bob").name_en == "Bob"


def test_keeping_own_login_with_other_case_is_allowed(as_admin, bob):
    assert as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(bob, login="BOB")).status_code == 302
    assert staff_by_login("bob").login == "BOB"


def test_password_change_ends_the_persons_sessions(app, as_admin, bob):
    bobs_client = as_client_of(app, bob)
    assert bobs_client.get("/").status_code == 200
    response = as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(bob, password=NEW_PASSWORD))
    assert response.status_code == 302
    assert bobs_client.get("/").location.startswith("/login")
    assert staff_by_login("bob").check_password(NEW_PASSWORD)
    assert as_admin.get("/").status_code == 200


def test_own_password_changes_only_on_my_profile(app, as_admin, admin):
    """The staff form would skip the current-password check that My profile makes."""
    page = as_admin.get(f"/provider/staff/{admin.id}").text
    assert 'name="password"' not in page and 'href="/profile"' in page
    response = as_admin.post(f"/provider/staff/{admin.id}", data=edit_form(admin, password=NEW_PASSWORD, email=""))
    assert response.status_code == 403 and "Change your own password on My profile" in response.text
    assert not staff_by_login("admin").check_password(NEW_PASSWORD)


# Avatars -------------------------------------------------------------------------------------------

def stored_avatar(login_name):
    committed()
    return db.session.scalar(select(Account.avatar).where(Account.login_key == login_name))


@pytest.mark.parametrize("fmt,name", [("PNG", "a.png"), ("JPEG", "a.jpg"), ("GIF", "a.gif")])
def test_avatar_is_stored_as_80px_png_without_exif(as_admin, bob, fmt, name):
    data = image_bytes(fmt, size=(200, 150), exif=fmt in ("PNG", "JPEG"))
    if fmt == "JPEG":
        assert Image.open(io.BytesIO(data)).getexif()  # the upload did carry EXIF
    response = as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(bob, avatar=upload(data, name)),
                             content_type="multipart/form-data")
    assert response.status_code == 302
    stored = Image.open(io.BytesIO(stored_avatar("bob")))
    assert stored.format == "PNG" and stored.size == (80, 80)
    assert not stored.getexif() and not stored.info.get("exif")
    assert staff_by_login("bob").avatar_version == 1
    served = as_admin.get(f"/provider/staff/{bob.id}/avatar?v=1")
    assert served.mimetype == "image/png" and Image.open(io.BytesIO(served.data)).size == (80, 80)


def noise_png():
    import random

    rng = random.Random(1)
    image = Image.frombytes("RGB", (200, 200), bytes(rng.getrandbits(8) for _ in range(200 * 200 * 3)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert len(out.getvalue()) > 64 * 1024
    return out.getvalue()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("make,name,message", [
    (noise_png, "big.png", "the limit is 64 KB"),
    (lambda: b"hello, I am not an image at all\n" * 10, "text.png", "not a PNG, JPEG or GIF image"),
    (lambda: png_claiming(10000, 10000), "bomb.png", "10000×10000 pixels; that is too large"),
    (lambda: image_bytes("BMP"), "a.bmp", "Only PNG, JPEG and GIF images are accepted."),
])
def test_bad_avatars_are_refused_and_nothing_saved(as_admin, bob, make, name, message):
    response = as_admin.post(f"/provider/staff/{bob.id}",
                             data=edit_form(bob, name_en="Changed", avatar=upload(make(), name)))
    assert response.status_code == 422
    assert message in response.text
    assert re.search(r'id="avatar-errors"', response.text)
    assert stored_avatar("bob") is None
    assert staff_by_login("bob").name_en == "Bob" and staff_by_login("bob").avatar_version == 0


def test_bad_avatar_on_create_saves_nothing(as_admin):
    before = staff_count()
    response = as_admin.post("/provider/staff/new", data=form(avatar=upload(b"GIF89a nonsense", "x.gif")))
    assert response.status_code == 422 and staff_count() == before


def test_avatar_can_be_removed(as_admin, bob):
    as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(bob, avatar=upload(image_bytes("PNG"), "a.png")))
    page = as_admin.get(f"/provider/staff/{bob.id}").text
    assert re.search(r'<label for="remove_avatar">Remove avatar</label>', page)
    response = as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(staff_by_login("bob"), remove_avatar="y"))
    assert response.status_code == 302
    assert stored_avatar("bob") is None and staff_by_login("bob").avatar_version == 2
    assert as_admin.get(f"/provider/staff/{bob.id}/avatar").mimetype == "image/svg+xml"


def test_upload_over_the_request_limit_is_413(as_admin, bob):
    big = b"\x89PNG" + b"0" * (1024 * 1024 + 10)
    response = as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(bob, avatar=upload(big, "huge.png")))
    assert response.status_code == 413
    assert stored_avatar("bob") is None


# Escalation guards ---------------------------------------------------------------------------------

@pytest.fixture
def manager(app):
    """A staff member who may edit staff but has no full access and few rights."""
    account = make_staff("manager", rights=["staff.view", "staff.edit", "rights.edit", "clients.view"])
    db.session.commit()
    return account


@pytest.fixture
def as_manager(app, manager):
    return as_client_of(app, manager)


def test_non_full_access_cannot_grant_full_access_on_create(as_manager):
    page = as_manager.get("/provider/staff/new").text
    assert re.search(r'<input[^>]*disabled[^>]*id="full_access"', page)
    assert "Only a staff member with full access can grant it." in page
    before = staff_count()
    response = as_manager.post("/provider/staff/new", data=form(full_access="y"))
    assert response.status_code == 403
    assert "Only a staff member with full access can grant it." in response.text
    assert staff_count() == before


def test_non_full_access_cannot_grant_full_access_on_edit(as_manager):
    plain = make_staff("plain", rights=["clients.view"])
    db.session.commit()
    response = as_manager.post(f"/provider/staff/{plain.id}", data=edit_form(plain, full_access="y", name_en="X"))
    assert response.status_code == 403
    account = staff_by_login("plain")
    assert not account.full_access and account.name_en == "Plain"


def test_non_full_access_cannot_assign_department_with_rights_they_lack(as_manager):
    plain = make_staff("plain", rights=["clients.view"])
    mine = make_department("Viewers", rights=["clients.view"])
    db.session.commit()
    page = as_manager.get(f"/provider/staff/{plain.id}").text
    assert re.search(r'<input aria-describedby="departments-\d-hint" disabled id="departments-\d"[^>]*>\s*'
                     r'<label for="departments-\d">Sales department</label>', page)
    assert "It carries rights that you do not hold." in page
    sales = db.session.scalar(select(Department).where(Department.name_en == "Sales department"))
    response = as_manager.post(f"/provider/staff/{plain.id}", data=edit_form(plain, departments=[str(sales.id)]))
    assert response.status_code == 403 and "rights that you do not hold" in response.text
    assert staff_by_login("plain").departments == []
    response = as_manager.post("/provider/staff/new", data=form(departments=[str(sales.id)]))
    assert response.status_code == 403 and staff_by_login("jdoe") is None
    # A department within the manager's own rights may be given.
    response = as_manager.post(f"/provider/staff/{plain.id}", data=edit_form(plain, departments=[str(mine.id)]))
    assert response.status_code == 302
    assert [d.name_en for d in staff_by_login("plain").departments] == ["Viewers"]


def test_locked_department_already_held_survives_a_save(app, admin):
    """A department the actor may not assign, held by the target, stays through a normal save."""
    odd = make_department("Legacy", rights=["clients.view", "retired.function"])  # a grant outside the catalog
    plain = make_staff("plain", departments=[odd])
    manager = make_staff("manager", rights=["staff.view", "staff.edit", "clients.view"])
    db.session.commit()
    client = as_client_of(app, manager)
    page = client.get(f"/provider/staff/{plain.id}").text
    assert f'<input type="hidden" name="departments" value="{odd.id}">' in page
    response = client.post(f"/provider/staff/{plain.id}", data=edit_form(plain, name_en="Still Legacy"))
    assert response.status_code == 302
    account = staff_by_login("plain")
    assert account.name_en == "Still Legacy" and [d.name_en for d in account.departments] == ["Legacy"]
    response = client.post(f"/provider/staff/{plain.id}", data=edit_form(account, departments=[]))
    assert response.status_code == 403
    assert [d.name_en for d in staff_by_login("plain").departments] == ["Legacy"]


@pytest.mark.parametrize("who", ["admin", "boss", "stronger"])
def test_non_full_access_cannot_manage_someone_holding_more(app, as_manager, admin, who):
    if who == "admin":
        target = admin
    elif who == "boss":
        target = make_staff("boss", full_access=True)
    else:
        target = make_staff("stronger", rights=["settings.edit"])
    db.session.commit()
    page = as_manager.get(f"/provider/staff/{target.id}")
    assert page.status_code == 200 and 'class="readonly-value"' in page.text and 'name="login"' not in page.text
    assert ("they have full access privileges" if who in ("admin", "boss")
            else "they hold rights that you do not: “Global settings”") in page.text
    before = snapshot(target)
    for url, data in [(f"/provider/staff/{target.id}", edit_form(target, name_en="Hacked", password=NEW_PASSWORD)),
                      (f"/provider/staff/{target.id}/disable", None),
                      (f"/provider/staff/{target.id}/delete", None)]:
        response = as_manager.post(url, data=data)
        assert response.status_code == 403, url
        assert any(reason in response.text for reason in (
            "they hold rights that you do not", "built-in administrator", "they have full access privileges"))
    assert as_manager.get(f"/provider/staff/{target.id}/delete").status_code == 403
    assert snapshot(target) == before
    assert not staff_by_login(target.login).check_password(NEW_PASSWORD)


def test_nobody_changes_own_departments_or_full_access(app, as_manager, manager, as_admin, admin):
    mine = make_department("Viewers", rights=["clients.view"])
    db.session.commit()
    page = as_manager.get(f"/provider/staff/{manager.id}").text
    assert "You cannot change your own departments." in page
    assert re.search(r'<input[^>]*disabled[^>]*id="departments-\d"', page)
    response = as_manager.post(f"/provider/staff/{manager.id}", data=edit_form(manager, departments=[str(mine.id)]))
    assert response.status_code == 403 and "You cannot change" in response.text
    assert staff_by_login("manager").departments == []
    response = as_manager.post(f"/provider/staff/{manager.id}", data=edit_form(manager, full_access="y"))
    assert response.status_code == 403 and not staff_by_login("manager").full_access
    # The full-access admin is bound by the same rules on their own form.
    response = as_admin.post(f"/provider/staff/{admin.id}", data=edit_form(admin, departments=[str(mine.id)]))
    assert response.status_code == 403 and staff_by_login("admin").departments == []
    response = as_admin.post(f"/provider/staff/{admin.id}", data=edit_form(admin, full_access=None))
    assert response.status_code == 403 and staff_by_login("admin").full_access
    # A normal save of one's own form (locked values carried as hidden inputs) works.
    page = as_admin.get(f"/provider/staff/{admin.id}").text
    assert '<input type="hidden" name="full_access" value="y">' in page
    response = as_admin.post(f"/provider/staff/{admin.id}", data=edit_form(staff_by_login("admin"), name_en="Boss"))
    assert response.status_code == 302 and staff_by_login("admin").name_en == "Boss"


def test_nobody_disables_or_deletes_themselves(as_manager, manager):
    for url in [f"/provider/staff/{manager.id}/disable", f"/provider/staff/{manager.id}/delete"]:
        response = as_manager.post(url)
        assert response.status_code == 403
        assert "You cannot" in response.text and "yourself" in response.text
    assert staff_by_login("manager").active
    assert as_manager.get("/").status_code == 200


def test_builtin_admin_is_protected_even_from_full_access(app, admin):
    other = make_staff("root2", full_access=True)
    db.session.commit()
    client = as_client_of(app, other)
    page = client.get(f"/provider/staff/{admin.id}").text
    assert f'action="/provider/staff/{admin.id}/disable"' not in page
    assert f'href="/provider/staff/{admin.id}/delete"' not in page
    assert "The built-in administrator always has full access." in page
    for url, message in [(f"/provider/staff/{admin.id}/disable", "cannot be disabled"),
                         (f"/provider/staff/{admin.id}/delete", "cannot be deleted")]:
        response = client.post(url)
        assert response.status_code == 403 and message in response.text
    assert client.get(f"/provider/staff/{admin.id}/delete").status_code == 403
    response = client.post(f"/provider/staff/{admin.id}", data=edit_form(admin, full_access=None))
    assert response.status_code == 403 and "always has full access" in response.text
    response = client.post(f"/provider/staff/{admin.id}", data=edit_form(admin, login="root"))
    assert response.status_code == 403 and "Only the built-in administrator can change their own login" in response.text
    account = staff_by_login("admin")
    assert account.active and account.full_access and account.login == "admin"
    # Its other details may still change.
    response = client.post(f"/provider/staff/{admin.id}", data=edit_form(account, name_en="Chief", email=""))
    assert response.status_code == 302 and staff_by_login("admin").name_en == "Chief"


def test_admin_cannot_delete_or_disable_itself(as_admin, admin):
    assert as_admin.post(f"/provider/staff/{admin.id}/disable").status_code == 403
    assert as_admin.post(f"/provider/staff/{admin.id}/delete").status_code == 403
    account = staff_by_login("admin")
    assert account.active


def test_full_access_admin_may_grant_full_access(as_admin, bob):
    response = as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(bob, full_access="y"))
    assert response.status_code == 302 and staff_by_login("bob").full_access


def test_view_only_staff_sees_a_read_only_form(app, bob):
    viewer = make_staff("viewer", rights=["staff.view"])
    db.session.commit()
    client = as_client_of(app, viewer)
    page = client.get(f"/provider/staff/{bob.id}").text
    assert 'class="readonly-value"' in page and 'name="login"' not in page and "Generate" not in page
    assert "Edit staff" in page
    assert 'type="submit" class="btn btn-primary"' not in page
    assert f'action="/provider/staff/{bob.id}/disable"' not in page
    listing = client.get("/provider/staff").text
    assert "Add staff member" not in listing


# Disable, enable, delete ---------------------------------------------------------------------------

def test_disabling_logs_the_person_out_and_enabling_lets_them_back(app, as_admin, bob):
    bobs_client = as_client_of(app, bob)
    assert bobs_client.get("/").status_code == 200
    response = as_admin.post(f"/provider/staff/{bob.id}/disable")
    assert response.status_code == 302 and response.location == f"/provider/staff/{bob.id}"
    assert not staff_by_login("bob").active
    assert bobs_client.get("/").location.startswith("/login")
    assert login(app.test_client(), "bob").status_code == 422
    assert as_admin.post(f"/provider/staff/{bob.id}/disable").status_code == 302  # idempotent
    assert as_admin.post(f"/provider/staff/{bob.id}/enable").status_code == 302
    assert staff_by_login("bob").active
    assert login(app.test_client(), "bob").status_code == 302
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("staff.disable") == 1 and actions.count("staff.enable") == 1


def test_manager_may_disable_someone_within_their_rights(as_manager):
    plain = make_staff("plain", rights=["clients.view"])
    db.session.commit()
    assert as_manager.post(f"/provider/staff/{plain.id}/disable").status_code == 302
    assert not staff_by_login("plain").active


def test_delete_confirmation_and_delete(app, as_admin, admin, bob):
    db.session.add(StaffRight(account_id=bob.id, function_id="clients.view"))
    db.session.add(StaffRight(account_id=bob.id, function_id="tasks.view"))
    db.session.commit()
    bobs_client = as_client_of(app, bob)
    as_admin.post(f"/provider/staff/{bob.id}", data=edit_form(bob, name_en="Bob Audited"))
    page = as_admin.get(f"/provider/staff/{bob.id}/delete").text
    assert "Delete this staff member?" in page and "Bob Audited" in page and "Billing" in page
    assert re.search(r"<dt>Individual rights</dt><dd>2</dd>", page)
    bob_id = bob.id
    response = as_admin.post(f"/provider/staff/{bob_id}/delete")
    assert response.status_code == 302 and response.location == "/provider/staff"
    assert staff_by_login("bob") is None
    assert db.session.scalar(select(func.count()).select_from(staff_departments)
                             .where(staff_departments.c.account_id == bob_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(StaffRight)
                             .where(StaffRight.account_id == bob_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(AccountSession)
                             .where(AccountSession.account_id == bob_id)) == 0
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target.like(f"account:{bob_id}:%"))).all()
    assert {e.action for e in entries} >= {"staff.update", "staff.delete"}
    assert "Staff member Bob Audited deleted." in as_admin.get("/provider/staff").text
    assert bobs_client.get("/").location.startswith("/login")
    assert as_admin.get(f"/provider/staff/{bob_id}").status_code == 404


def test_deleted_actor_keeps_their_audit_entries(app, as_admin):
    actor = make_staff("actor", full_access=True)
    db.session.commit()
    client = as_client_of(app, actor)
    assert client.post("/provider/staff/new", data=form()).status_code == 302
    actor_id = actor.id
    assert as_admin.post(f"/provider/staff/{actor_id}/delete").status_code == 302
    committed()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.create"))
    assert entry is not None and entry.actor_id is None


def test_a_typed_password_survives_a_failed_submit(as_admin):
    response = as_admin.post("/provider/staff/new", data={"login": "kept", "name_en": "", "email": "kept@example.com",
                                                          "password": "Generated-Pass-123"})
    assert response.status_code == 422
    assert 'value="Generated-Pass-123"' in response.text


def test_filters_by_department_and_status_keep_their_choices(as_admin):
    sales = make_department("Filter sales")
    make_staff("inside", departments=[sales])
    make_staff("outside")
    make_staff("gone", departments=[sales], active=False)
    db.session.commit()
    page = as_admin.get("/provider/staff", query_string={"department": sales.id, "status": "active"}).text
    assert ">inside</a>" in page and ">outside</a>" not in page and ">gone</a>" not in page
    assert f'<option value="{sales.id}" selected>Filter sales</option>' in page
    assert '<option value="active" selected>' in page
    page = as_admin.get("/provider/staff", query_string={"department": sales.id, "status": "disabled"}).text
    assert ">gone</a>" in page and ">inside</a>" not in page and '<span class="status status-off">Disabled' in page
    for bad in ({"department": "١"}, {"department": "99999999999"}, {"status": "weird"}):
        assert as_admin.get("/provider/staff", query_string=bad).status_code == 200
