from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "event" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "slug" VARCHAR(40) NOT NULL UNIQUE,
    "display_name" VARCHAR(200) NOT NULL,
    "listener_code" VARCHAR(32),
    "created_at" TIMESTAMP NOT NULL
) /* A conference: the unit that technicians and invites belong to. */;
CREATE TABLE IF NOT EXISTS "room" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "slug" VARCHAR(40) NOT NULL,
    "display_name" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "event_id" INT NOT NULL REFERENCES "event" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_room_event_i_de4281" UNIQUE ("event_id", "slug")
) /* A hall of an event; listeners pick a room by its poster. */;
CREATE TABLE IF NOT EXISTS "booth" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "path" VARCHAR(100) NOT NULL UNIQUE,
    "language_code" VARCHAR(16) NOT NULL,
    "language_name" VARCHAR(100) NOT NULL,
    "transcription" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "room_id" INT NOT NULL REFERENCES "room" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_booth_room_id_52b29d" UNIQUE ("room_id", "language_code")
) /* One target language of a room. `path` is the booth id `{event}/{room}/{lang}`. */;
CREATE TABLE IF NOT EXISTS "chatmessage" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "sender_id" VARCHAR(64) NOT NULL,
    "sender_name" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "sent_at" TIMESTAMP NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "booth_id" INT NOT NULL REFERENCES "booth" ("id") ON DELETE CASCADE
) /* A line of booth chat, kept so a restart loses nothing. */;
CREATE TABLE IF NOT EXISTS "onairspan" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "participant_id" VARCHAR(64) NOT NULL,
    "display_name" VARCHAR(200) NOT NULL,
    "started_at" TIMESTAMP NOT NULL,
    "ended_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "booth_id" INT NOT NULL REFERENCES "booth" ("id") ON DELETE CASCADE
) /* A stretch of time one interpreter held the mic; `ended_at` is null while on air. */;
CREATE TABLE IF NOT EXISTS "secret" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(100) NOT NULL UNIQUE,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMP NOT NULL
) /* A named secret, stored only as a Fernet token. */;
CREATE TABLE IF NOT EXISTS "transcriptsegment" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "seq" INT NOT NULL,
    "text" TEXT NOT NULL,
    "started_at" TIMESTAMP NOT NULL,
    "ended_at" TIMESTAMP NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "booth_id" INT NOT NULL REFERENCES "booth" ("id") ON DELETE CASCADE
) /* One final caption of a booth. */;
CREATE TABLE IF NOT EXISTS "user" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "email" VARCHAR(254) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "display_name" VARCHAR(200) NOT NULL,
    "is_admin" INT NOT NULL,
    "is_active" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL
) /* A person who logs in with email and password (admins, technicians, interpreters). */;
CREATE TABLE IF NOT EXISTS "invitetoken" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "token" VARCHAR(64) NOT NULL UNIQUE,
    "role" VARCHAR(20) NOT NULL,
    "label" VARCHAR(200) NOT NULL,
    "expires_at" TIMESTAMP,
    "max_uses" INT NOT NULL,
    "uses" INT NOT NULL,
    "revoked_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "booth_id" INT NOT NULL REFERENCES "booth" ("id") ON DELETE CASCADE,
    "created_by_id" INT REFERENCES "user" ("id") ON DELETE SET NULL
) /* A link that lets someone into a booth or an event's console without an account. */;
CREATE TABLE IF NOT EXISTS "membership" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "role" VARCHAR(20) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "booth_id" INT REFERENCES "booth" ("id") ON DELETE CASCADE,
    "event_id" INT NOT NULL REFERENCES "event" ("id") ON DELETE CASCADE,
    "user_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE
) /* A user's role in an event: technician of the event, or interpreter of one booth. */;
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXV1z2zYW/SsYvdSZ8WYTxXY76ZPkKK23ttWxlW2nnY4MkbCEMQkoBGRHk/V/XwD8Jk"
    "GK1JcpGi+JDN4LUgcgcO65APS941IbOextn1I+63wE3zsEukh8SF84Bh04n8fFsoDDiaMs"
    "J5HJhHEPWlwU3kOHIVFkI2Z5eM4xJdJ0SBDg0JsiDhxIpgs4RYDeAwg8St234G4O+ewOYA"
    "b4DAFVL8A2uPuOHhHhz//+Ls3Ef9L3+e6tvKdNLXFTTKa7qX5B8NcFGnMq6pwhT9zk7787"
    "0kxeDO8xtgQonX/+EUWY2OgbYtJO/jl/GN9j5NgpZLEtnVX5mC/nquyC8M/KUH6liajQWb"
    "gkNp4v+YySyBoTLkuniCAPciSr595C4k0WjhO0S9gE/leITfxHTPjY6B4uHNlq0tt/gLis"
    "Mx5fD0fj28FoPO7kWjT0SLRCUGRRInuDeFSmvv1UPsK/uu9Pfjz56cPZyU8SP1kUlfz47N"
    "86BsZ3VPBcjzrP6jrk0LdQGMegyqbNw3o+g54e19A+g6x45CyyIY7NhdaF38YOIlP1Br9/"
    "964EyP/2bs5/7d0cCas38pZUvK/+W3wdXOr61yTaMbrpnl4D5pzjdvAOC2LA4wFn/4ifVQ"
    "H8rBjvs0K4VcE6cIeObYR7Fx1c3I3Ez5ZDXMyCDoJED3rONwO6mGicXaEelewA9hKU+8Ph"
    "pazZZeyrowouRhm0v1z1B6IZVCMII8xRciCPkbc8JDEZQ56H/ZO4wrGL9LinPTOg24Hr2/"
    "DDIfZ78QXtIXGWwYRS0iCji6vB7ah39XuqVT71RgN5patKl5nSo+yQFFUC/rgY/Qrkn+Cv"
    "4fVAwUsZn3rqjrHd6K+OfCa44HRM6NMY2om5LywNUUu1uqRQ41pEKOGxmg0dQuNugRBJin"
    "n/oOVDIUdNo/uZeghPyW9oqUC+EE8EiaWbKQL6fxNUc2DgPoe9JyyNu6UHnyJOnuxU4ruL"
    "b4z8Yeq8d3ve+zToKIQn0Hp4gp49LoDamunGrn7g9fm3G+TAgqkhQFlM6PwKMSZm7haBnX"
    "rhMXkUUwDbDKcLVcmIPiDSVpxc5E6Qx2Z4viFWV1FFFaAK3o2DQorNBe3aDKMh6WHvVtTT"
    "1t7E0NRF0mEjmEYRwb3162sTXHKEp12aGNlTY37+ktt1syWQiJHbDu4t76QZ1zXaWmbYL1"
    "bY5AzjJgxX6mw94GCitC9f5ZIVHIMHNOeAUamHITHxexw4lCEGiDAR2OX1tPWr0ehmRh57"
    "QXmMIfG1PC3jLlYTUk4tVBLOTioICWcnhTqCvPScGW8VYnVlm4xbC6HuVhJtuiWiTTcv2k"
    "yovczDPELfCgaL0L4V+JaJAYM/RykdIETx6Kr355uUFnA5vP4lNE+gfn457Oe7Nl9DpEm4"
    "tVChORBFJsSkVJIxQlzxWNZeIU4Ru3pKXNLFSHGrpbgoP76hFhel4g8M3qpiXLJf1VXjdh"
    "nFDeTqgI4mfvMvHJdFbigyqRCzCYTukYdEJ/ioViiIBuTiAxT/IGtGsIVFHA4gsUGgpoEJ"
    "ciiZAk51sdum1ZkYrmExnLOY1ooqAvvWLXE4qRJLnBSHEie5SMLGbO7AZe3ALevXishiD5"
    "GbgxmXoNRfT5J1XAvxhsndacA/dCvg/aFbCLe8ZFLsr5PZ51holfzly6ScmtYTKuVTZL54"
    "Q5BallHfaf4kme/V8O9MOriYhfv8lkeG1fInDz5ZFlEIA4y6iBIkmDKXiQ8/HUI9wZ6Bov"
    "g/MEm3GXUQeMKi2RdcXoKWRReEFyRWtlu/YevNYutRb6tKbSKH1vH17edZPPEi1ME2tG8l"
    "P69Ez0vYeX718QQ5tUh56LA/eDudPYG7g+AHfZtjQfPWoONpzy3Q8YYFQgfCviulU2Q/Wj"
    "DdirfCqTXpsj9h/X2jJ9gY0Jpg7h/IdwcCpIceBdVYRw5Ie5rxp8njjxF9il+odok+Jp27"
    "2/EyfB8my3rA5vzWQrdhQ6TJlR9Irlzfg7cA7ReGDjDHUhXY3EubQlc8Bbj+cnn5UksREg"
    "q7Rg9N6+/Fcqibtqughgoy7f3AgJRRACaRKvkxsZJArhKXqwzUhWOpXQqQkTf3BHSevCjl"
    "TdVtdXLo9m9g9NBm6aFGstuhZGfIfjH0huxvk+w3bFrfNtdXk0s9SJMuJn7SC3f6nUdl2l"
    "3BtqPXi2hJ0LQIGPl+iH3TwK3K7BOdanXEFK3b3RDTaIlwS0FNDn6rUd13dN+wyerQF8LH"
    "2+U1wWdqL31x7EkJxB4LzSqEnsICcWumoj/BQEGwSiYK/Gbi0VVc6GLrZ3And1JKNquO+Z"
    "PPD55m2JFuQNxYF3pu/wYm9GxW6DmHHscWFp1OT+3KTgnMerYwHN3+8hyznH6/K0rUKQxr"
    "hf9pzxaG/wcS7ldK6YZTT91GTvqZpH2TW9joeMXDqNHxTNLe5JVfaeipds1oos5wN01xwB"
    "kehFkl1pxBEc7JA+OD9OPPINxvyMAcWw/BSfJgsgSYiyIxDCBtTLl+RdoD5yM1Sm3pNQfN"
    "v95d2C89Spt92K0KHA3ffI180yQ5d843Tf5oW/mjKjvYFWvdcF9225j9Tjdm3yIx/mvPRA"
    "qulFJyFttUIOXyBjbwfY4B4+IVsgEVAzOATPDoz8gjiAO1e1ZHxeu6m+RNs/h2XSq4XQrY"
    "oF3UO/ndm0foLDTwFp+hGjm0gmKXkbpdHKJq+HZxZ28X385xw5fRzfJH92vmbO35/sXTd/"
    "x7VyxhXum3H+8xgQ6woCr0f5qxYEvASmszTzdrnmboaw1UA2sTSmrWy3Ix+daZkkN7MyOv"
    "c6y5WTrxGhLrDVk6YZrYrJ0w3NqsnWgeATFrJ1YNkge7dkLt69GEfeF+n+JIL9xYVEWmnS"
    "OPiSjtaUaBQ6dM7uKWJ1UC5ELsqFPm55CxJ+rZ4AjaLibsOHkO/XFyzT17o1Nyd3AHE0Q2"
    "K4hUTVlH7Y0cWif3dk+rLMsXVsX5/tPcwvzwBRnPINMM6WUbITKOrQg2s4ifVkL8tATxU7"
    "Oi5WVXtGA2VmO/JhlMqYMgKRigE24ZqMW07uwK66hkv7Fdfzi8TPH7/kVWKvly1R/cHL1X"
    "0Asj7DOZvFglgbM4ftR07pWAR357RDwc0A8WcBPmFg8v7Qpza6SQXvR31pu5H6iJP7PetB"
    "fmRdYO9ZCHrVlHE5AGV47LQlIY26wKSothMGFfs8K+R/EGBW9ZVX6ccGkjNd5FKCJfqhoI"
    "B+YtRHcnK6nEHbl2ze9/bofXBYQsdsmyMWxx8D+1aegA0S4BV4JRnsPNpmszXEpW0Nfp1f"
    "vUVp//D0zC9Zs="
)
