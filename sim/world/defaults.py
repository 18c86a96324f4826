"""The default world: the places of docs/sources.md (Geography), as plain scenario data.

These are the values a scenario gets when it leaves out ``ports``,
``waypoints``, ``routes``, ``zones`` or ``patrols``, so a short file still
describes a Yellow Sea trade. It is the older built-in world, which mixes periods
(docs/sources.md says where it departs from the record); the shipped period worlds,
``scenarios/peak_2019.toml`` and ``scenarios/crackdown_2025.toml`` (which
``baseline.toml`` builds on), spell out their own places and figures.
"""

from __future__ import annotations

from typing import Any

PORTS: list[dict[str, Any]] = [
    # DPRK loading ports; Nampo and Songnim share the Taedong estuary approach.
    {
        "name": "Nampo",
        "country": "DPRK",
        "lat": 38.728,
        "lon": 125.417,
        "approach_lat": 38.698,
        "approach_lon": 125.277,
        "roles": ["loading"],
    },
    {
        "name": "Songnim",
        "country": "DPRK",
        "lat": 38.754,
        "lon": 125.645,
        "approach_lat": 38.698,
        "approach_lon": 125.277,
        "roles": ["loading"],
    },
    {
        "name": "Haeju",
        "country": "DPRK",
        "lat": 38.05,
        "lon": 125.72,
        "approach_lat": 37.930,
        "approach_lon": 125.740,
        "roles": ["loading"],
    },
    # Chinese discharge ports; each also hosts a Coast Guard base.
    {
        "name": "Dalian",
        "country": "China",
        "lat": 38.90,
        "lon": 121.60,
        "approach_lat": 38.930,
        "approach_lon": 121.700,
        "roles": ["discharge", "coast_guard_base"],
    },
    {
        "name": "Yantai",
        "country": "China",
        "lat": 37.465,
        "lon": 121.448,
        "approach_lat": 37.565,
        "approach_lon": 121.518,
        "roles": ["discharge", "coast_guard_base"],
    },
    {
        "name": "Longkou",
        "country": "China",
        "lat": 37.657,
        "lon": 120.491,
        "approach_lat": 37.767,
        "approach_lon": 120.431,
        "roles": ["discharge"],
    },
    {
        "name": "Lianyungang",
        "country": "China",
        "lat": 34.597,
        "lon": 119.221,
        "approach_lat": 34.797,
        "approach_lon": 119.231,
        "roles": ["discharge", "coast_guard_base"],
    },
    {
        "name": "Ningbo-Zhoushan",
        "country": "China",
        "lat": 29.936,
        "lon": 121.851,
        "approach_lat": 29.966,
        "approach_lon": 121.881,
        "roles": ["discharge", "coast_guard_base"],
    },
]

WAYPOINTS: list[dict[str, Any]] = [
    {"name": "taedong_mouth", "lat": 38.55, "lon": 125.0},
    {"name": "korea_bay", "lat": 38.6, "lon": 124.0},
    {"name": "changsan_cape", "lat": 38.05, "lon": 124.4},
    {"name": "haeju_out", "lat": 37.6, "lon": 125.3},
    {"name": "bohai_strait", "lat": 38.2, "lon": 121.0},
    {"name": "chengshan_cape", "lat": 37.35, "lon": 123.0},
    {"name": "yellow_sea_central", "lat": 35.0, "lon": 122.5},
    {"name": "yangtze_mouth", "lat": 31.0, "lon": 122.9},
    {"name": "zhoushan_east", "lat": 30.2, "lon": 122.6},
    {"name": "zhoushan_south", "lat": 29.8, "lon": 122.4},
]

_TO_SOUTH = ["taedong_mouth", "changsan_cape", "chengshan_cape", "yellow_sea_central"]

ROUTES: list[dict[str, Any]] = [
    {
        "name": "nampo-dalian",
        "origin": "Nampo",
        "destination": "Dalian",
        "via": ["taedong_mouth", "korea_bay"],
    },
    {
        "name": "nampo-yantai",
        "origin": "Nampo",
        "destination": "Yantai",
        "via": ["taedong_mouth", "changsan_cape"],
    },
    {
        "name": "nampo-longkou",
        "origin": "Nampo",
        "destination": "Longkou",
        "via": ["taedong_mouth", "changsan_cape", "bohai_strait"],
    },
    {
        "name": "nampo-lianyungang",
        "origin": "Nampo",
        "destination": "Lianyungang",
        "via": list(_TO_SOUTH),
    },
    {
        "name": "nampo-ningbo",
        "origin": "Nampo",
        "destination": "Ningbo-Zhoushan",
        "via": [*_TO_SOUTH, "yangtze_mouth", "zhoushan_east", "zhoushan_south"],
    },
    {
        "name": "songnim-yantai",
        "origin": "Songnim",
        "destination": "Yantai",
        "via": ["taedong_mouth", "changsan_cape"],
    },
    {
        "name": "songnim-lianyungang",
        "origin": "Songnim",
        "destination": "Lianyungang",
        "via": list(_TO_SOUTH),
    },
    {
        "name": "haeju-yantai",
        "origin": "Haeju",
        "destination": "Yantai",
        "via": ["haeju_out", "changsan_cape"],
    },
    {
        "name": "haeju-lianyungang",
        "origin": "Haeju",
        "destination": "Lianyungang",
        "via": ["haeju_out", "yellow_sea_central"],
    },
]

ZONES: list[dict[str, Any]] = [
    # Polygons are [lon, lat] rings on the Chinese side; land inside them is
    # cut away before the searchable area is measured.
    {
        "name": "bohai_strait",
        "polygon": [[120.3, 37.9], [122.2, 37.9], [122.2, 39.1], [120.3, 39.1]],
    },
    {
        "name": "north_shandong",
        "polygon": [[120.2, 37.3], [122.7, 37.3], [122.7, 37.9], [120.2, 37.9]],
    },
    {
        "name": "jiangsu_lianyungang",
        "polygon": [[119.2, 34.2], [121.0, 34.2], [121.0, 35.6], [119.2, 35.6]],
    },
    {
        "name": "zhoushan_approaches",
        "polygon": [[121.7, 29.5], [123.0, 29.5], [123.0, 30.9], [121.7, 30.9]],
    },
]

PATROLS: list[dict[str, Any]] = [
    {"name": "bohai_strait_patrol", "base": "Dalian", "zone": "bohai_strait", "vessels": 2},
    {"name": "north_shandong_patrol", "base": "Yantai", "zone": "north_shandong", "vessels": 2},
    {"name": "jiangsu_patrol", "base": "Lianyungang", "zone": "jiangsu_lianyungang", "vessels": 2},
    {
        "name": "zhoushan_patrol",
        "base": "Ningbo-Zhoushan",
        "zone": "zhoushan_approaches",
        "vessels": 2,
    },
]

_PROVINCIAL: dict[str, Any] = {
    "kind": "provincial", "patience_days": 14.0, "lot_interval_days": 1.5,
    "lot_tonnes_min": 3000.0, "lot_tonnes_max": 5000.0, "vessels": 8,
    "vessel_capacity_dwt": 5500.0, "speed_knots": 9.5, "ais_off_share": 0.8, "concealment": 0.2,
}  # fmt: skip

SELLERS: list[dict[str, Any]] = [
    {"name": "nampo_state_corp", "kind": "state", "insists_on_advance": True,
     "patience_days": 30.0, "port": "Nampo",
     "routes": ["nampo-dalian", "nampo-longkou", "nampo-ningbo"], "lot_interval_days": 1.0,
     "lot_tonnes_min": 4500.0, "lot_tonnes_max": 5000.0, "vessels": 11,
     "vessel_capacity_dwt": 6000.0, "speed_knots": 10.0, "ais_off_share": 0.9,
     "concealment": 0.4},
    {"name": "nampo_provincial", "port": "Nampo",
     "routes": ["nampo-yantai", "nampo-lianyungang", "nampo-ningbo"], **_PROVINCIAL},
    {"name": "songnim_provincial", "port": "Songnim",
     "routes": ["songnim-yantai", "songnim-lianyungang"], **_PROVINCIAL},
    {"name": "haeju_provincial", "port": "Haeju",
     "routes": ["haeju-yantai", "haeju-lianyungang"], **_PROVINCIAL},
]  # fmt: skip

BUYERS: list[dict[str, Any]] = [
    {"name": "dalian_trader", "port": "Dalian", "count": 40},
    {"name": "yantai_trader", "port": "Yantai", "count": 50},
    {"name": "longkou_trader", "port": "Longkou", "count": 30},
    {"name": "lianyungang_trader", "port": "Lianyungang", "count": 40},
    {"name": "ningbo_trader", "port": "Ningbo-Zhoushan", "count": 40},
]
