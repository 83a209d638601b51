"""Configuration from the environment, and the Compose file that runs the app with Redis."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from data.cache import MemoryCache, RedisCache, TieredCache
from data.cli import main
from indicators.model import ParameterError
from tileserver import create_app

REPO = Path(__file__).resolve().parents[1]


def test_environment_configures_the_app(monkeypatch, data_dir):
    monkeypatch.setenv("BAROMETER_DATA", str(data_dir))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("BAROMETER_CACHE_MB", "8")
    monkeypatch.setenv("BAROMETER_PUBLIC_URL", "https://karta.example.se/")
    app = create_app()
    cache = app.extensions["barometer"].cache.cache
    assert isinstance(cache, TieredCache) and isinstance(cache.far, RedisCache)
    assert cache.far.client.connection_pool.connection_kwargs["db"] == 3
    assert isinstance(cache.near, MemoryCache) and cache.near.max_bytes == 8 * 2**20
    tj = app.test_client().get("/tiles/deso.json").get_json()
    assert tj["tiles"][0].startswith("https://karta.example.se/tiles/")


def test_without_configuration_the_demo_is_served_from_memory(monkeypatch):
    for key in ("BAROMETER_DATA", "REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    app = create_app()
    cache = app.extensions["barometer"].cache.cache
    assert isinstance(cache, TieredCache) and isinstance(cache.near, MemoryCache) and cache.far is None
    catalog = app.test_client().get("/api/catalog").get_json()
    assert "demo" in catalog["title"].lower()
    assert {"deso", "regso", "kommun"} <= {level["id"] for level in catalog["levels"]}


def test_unknown_configuration_keys_are_warned_about(monkeypatch, caplog, data_dir):
    monkeypatch.setenv("BAROMETER_CAHCE_MB", "8")
    with caplog.at_level("WARNING"):
        create_app({"DATA": str(data_dir)})
    assert any("CAHCE_MB" in r.getMessage() for r in caplog.records)


def test_compose_runs_the_app_with_redis_and_a_healthcheck_the_app_answers(client):
    import yaml

    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    app, redis = compose["services"]["app"], compose["services"]["redis"]
    assert app["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])
    probe = " ".join(app["healthcheck"]["test"])
    health_url = re.search(r"http://127\.0\.0\.1:8000(/[\w/]+)", probe).group(1)
    assert health_url == "/readyz"
    for _ in range(200):  # ready once the dataset is loaded and prepared (in the background)
        if client.get(health_url).status_code == 200:
            break
        time.sleep(0.05)
    assert client.get(health_url).status_code == 200
    proxy = compose["services"]["proxy"]
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert "./deploy/nginx-barometer.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert "server app:8000 " in (REPO / "deploy" / "nginx-barometer.conf").read_text()
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "--production" in dockerfile and "npm ci" in dockerfile


def test_only_known_settings_reach_flask(monkeypatch, caplog, data_dir):
    monkeypatch.setenv("BAROMETER_DEBUG", "1")
    monkeypatch.setenv("BAROMETER_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("BAROMETER_PROPAGATE_EXCEPTIONS", "true")
    with caplog.at_level("WARNING"):
        app = create_app({"DATA": str(data_dir)})
    assert app.debug is False and app.config["DEBUG"] is False
    assert app.config["SECRET_KEY"] is None and app.config["PROPAGATE_EXCEPTIONS"] is None
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "BAROMETER_DEBUG" in warned and "BAROMETER_SECRET_KEY" in warned
    response = app.test_client().get("/api/values/deso/2021?breakdown=nope")
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)


def test_flask_debug_in_the_environment_does_not_turn_on_the_debugger(monkeypatch, data_dir):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app({"DATA": str(data_dir)}).debug is False


@pytest.mark.parametrize(
    "value",
    [
        "https://a.se; script-src *",
        "https://a.se;",
        "'unsafe-inline'",
        "https://a.se 'none'",
        "javascript:alert(1)//a b'c",
    ],
)
def test_a_frame_ancestors_value_that_is_not_a_source_list_is_refused_at_start(
    monkeypatch, capsys, data_dir, value
):
    monkeypatch.setenv("BAROMETER_FRAME_ANCESTORS", value)
    with pytest.raises(ParameterError, match="BAROMETER_FRAME_ANCESTORS"):
        create_app({"DATA": str(data_dir)})
    assert main(["serve", "--data", str(data_dir)]) == 2  # refused before anything is served
    assert "BAROMETER_FRAME_ANCESTORS" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "header"),
    [
        ("*", "frame-ancestors *"),
        ("'self' https://*.kommun.se:443", "frame-ancestors 'self' https://*.kommun.se:443"),
        ("https://a.se,https://b.se/karta/", "frame-ancestors https://a.se https://b.se/karta/"),
        ("'none'", "frame-ancestors 'none'"),
    ],
)
def test_frame_ancestors_host_sources_are_accepted(monkeypatch, data_dir, value, header):
    monkeypatch.setenv("BAROMETER_FRAME_ANCESTORS", value)
    response = create_app({"DATA": str(data_dir)}).test_client().get("/embed")
    assert response.headers["Content-Security-Policy"] == header


@pytest.mark.parametrize(
    ("value", "tiles"),
    [
        (
            "https://cdn.example.se/barometer/{version}/",
            "pmtiles://https://cdn.example.se/barometer/{v}/kommun.pmtiles/",
        ),
        ("https://cdn.example.se", "pmtiles://https://cdn.example.se/kommun.pmtiles/"),
        ("/archives", "pmtiles://http://localhost/archives/kommun.pmtiles/"),
        ("", "http://localhost/tiles/kommun/"),
    ],
)
def test_the_tiles_come_from_the_configured_archives(monkeypatch, data_dir, value, tiles):
    monkeypatch.setenv("BAROMETER_PMTILES_URL", value)
    client = create_app({"DATA": str(data_dir)}).test_client()
    tilejson = client.get("/tiles/kommun.json").get_json()
    assert tilejson["tiles"][0].startswith(tiles.replace("{v}", tilejson["version"]))


@pytest.mark.parametrize(
    "value", ["cdn.example.se/tiles", "https://a.se/t?x=1", "https://a.se/a b", "ftp://a.se/"]
)
def test_a_pmtiles_url_that_is_not_a_base_url_is_refused_at_start(monkeypatch, data_dir, value):
    monkeypatch.setenv("BAROMETER_PMTILES_URL", value)
    with pytest.raises(ParameterError, match="BAROMETER_PMTILES_URL"):
        create_app({"DATA": str(data_dir)})


def test_the_docker_image_runs_as_a_user_without_root(tmp_path):
    users = re.findall(r"^USER\s+(\S+)", (REPO / "Dockerfile").read_text(), re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
