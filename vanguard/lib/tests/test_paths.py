from vanguard.lib.paths import path_ids, path_prefixes


def test_a_path_gives_its_ids_root_first():
    assert path_ids("/1/4/17/") == [1, 4, 17]
    assert path_ids("/3/") == [3]
    assert path_ids("") == []


def test_a_path_gives_the_paths_of_every_unit_above_and_itself():
    assert path_prefixes("/1/4/17/") == ["/1/", "/1/4/", "/1/4/17/"]
    assert path_prefixes("") == []
