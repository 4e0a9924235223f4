from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "room" ADD "floor_value" VARCHAR(1000) NOT NULL DEFAULT '';
        ALTER TABLE "room" ADD "floor_kind" VARCHAR(10) NOT NULL DEFAULT 'none';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "room" DROP COLUMN "floor_value";
        ALTER TABLE "room" DROP COLUMN "floor_kind";"""


MODELS_STATE = (
    "eJztXdty27YW/RWMXurMqDmxYjud9ElylNatbXVs5bTTTkeGSFjCmAIUArKjyfG/HwC8ky"
    "BF6maKxkvrgHuD1AII7LU2AH5vzaiNHPa2Rymftj6C7y0CZ0j8kbzQBi04n0fFsoDDsaMs"
    "x6HJmHEXWlwU3kOHIVFkI2a5eM4xJdJ0QBDg0J0gDhxIJgs4QYDeAwhcSmdvwd0c8ukdwA"
    "zwKQKqXoBtcPcdPSLCn//zXZqJ/0nf57u38p42tcRNMZnspvoFwV8XaMSpqHOKXHGTf/5p"
    "STN5MbjHyBKgtP79VxRhYqNviEk7+c/5w+geI8dOIItt6azKR3w5V2UXhH9WhvInjUWFzm"
    "JGIuP5kk8pCa0x4bJ0gghyIUeyeu4uJN5k4Th+uwRN4P2EyMR7xJiPje7hwpGtJr29B4jK"
    "WqPR9WA4uu0PR6NWpkUDj1gr+EUWJbI3iEdl6tdP5CP82Dk++XDy0/uzk58kfrIoLPnw7N"
    "06AsZzVPBcD1vP6jrk0LNQGEegyqbNwno+ha4e18A+hax45DSyAY71hXYGv40cRCbqDT5+"
    "964AyP92b85/7d4cCas38pZUvK/eW3ztX+p41yTaEbrJnl4B5ozjdvAOCiLAowFn/4iflQ"
    "H8LB/vs1y4VcE6cAeOTYR7Fx1c3I1Ez5ZBXMyCDoJED3rGNwW6mGicXaEeluwA9gKUe4PB"
    "pax5xthXRxVcDFNof7nq9UUzqEYQRpij+EAeIW+5SGIygjwL+ydxheMZ0uOe9EyBbvuub4"
    "M/DrHfix9oD4iz9CeUggYZXlz1b4fdqz8SrfKpO+zLKx1VukyVHqWHpLAS8OfF8Fcg/wn+"
    "Hlz3FbyU8Ymr7hjZDf9uyWeCC05HhD6NoB2b+4LSALVEq8sQalQpEIp5rI6GDqFxtxAQyR"
    "Dz/kEbDwUxahLdz9RFeEJ+R0sF8oV4Ikgs3Uzhh/83fjUHBu5z0HuC0qhbuvApjMnjnUr8"
    "dvGLkTdMnXdvz7uf+i2F8BhaD0/QtUc5UFtT3djV870+/36DHJgzNfgoiwmdXyHGxMzdIL"
    "ATLzwmj2IKYJvhdKEqGdIHRJqK0wzNxshlUzzfEKursKISUPnvxkEhxeYi7NoMowHpYvdW"
    "1NPU3sTQZIakw0YwDcMA99arr0lwyRGedmhsZE+M+dlLs84sXQKJGLlt/97yTppxXaOtpY"
    "b9fIVNzjCzmOFKna0LHEyU9uWpXLKCNnhAcw4YlXoYEhO/y4FDGWKACBOBXVZPW78ajW5m"
    "5LEXlMcYEj/L1Ubc+WpCwqmBSsLZSQkh4ewkV0eQl55T461CrKpsk3JrINSdUqJNp0C06W"
    "RFmzG1l1mYh+hbzmAR2DcC3yIxoP/XMKEDBCgeXXX/epPQAi4H178E5jHUzy8HvWzX5muI"
    "NDG3Bio0B6LIBJgUSjJGiMsfy5orxKnArpoSF3cxUtxqKS7Mj2+oxYWp+AODt6wYF+9XVd"
    "W4XbK4vlwd0NLwN+9Cu4i5odCkBGcTCN0jF4lO8FGtUBANyMUfUPwHWVOCLSx4OIDEBr6a"
    "BsbIoWQCONVxt02rMxyuZhzOWUwqsQrfvnFLHE7KcImTfCpxkmESNmZzBy4rE7e0XyOYxR"
    "6Ym4MZl6BUX0+SdlwL8ZrJ3UnA33dK4P2+kwu3vGRS7K8zss9EoWXyly+TcqpbTyiVT5H5"
    "4g1BalhGfaf5k3i+VxN/p9LB+VG4F9/y0LBc/uTBC5YFC2GA0RmiBIlImcvEh5cOoa6Ino"
    "EK8X9gMtxm1EHgCYtmX3B5CVoWXRCek1jZbv0mWq9XtB72trKhTejQuHh9+3kWV7wIVbAN"
    "7BsZn5cKzwui8+zq4zFyKgXlgcP+4G219gTuDsgP+jbHIsxbIxxPem4hHK8ZETqQ6LtUOk"
    "X2owXTrXjLnVrjLvsT1o9rPcFGgFYEc/9AvjsQIF30KEKNdeSApKcZf+o8/hjRJ/+Fapbo"
    "Y9K5ux0vg/dhvKwGbMZvLXRrNkSaXPmB5Mr1PXgL0H5h6ABzLGWBzby0CXTFU4DrL5eXL7"
    "UUIaawa/TQpP6eL4fOknYl1FARTLs/MCBlFIBJqEp+jK0kkKvE5SoDdaEttUsBMnLnroDO"
    "lRelvKm6rU4O3f4NjB5aLz3USHY7lOxMsJ8PvQn2txns12xa33asryaXapDGXQx/0gt3+p"
    "1HRdpdzraj14toAWla+BH5fgL7uoFbNrKPdarVjClct7shpuES4YaCGh/8VqO6b3Zfs8nq"
    "0BfCR9vlNeQzsZc+n3tSArHLArMS1FNYIG5NFfsTESjwV8mExG8qHl3xwhm2fgZ3cieljG"
    "bVMX/y+cHTFDvSDYgb66jn9m9gqGe9qOccuhxbWHQ6fWhXdEpg2rOBdHT7y3PMcvr9rihR"
    "pzCsRf+Tng2k/wdC90uldIOpp2ojx/1M0r7OLWx0vPxh1Oh4Jmlv8sqvlHqqXTMa1hnsps"
    "knnMFBmGW45hQKOicPjPfTjz+DYL8hA3NsPfgnyYPxEmAuisQwgLSccv2KtAfOh2qU2tJr"
    "Dpp/vbuwX3qUNvuwG0Uc7x1K3dGD+IFV0E567XHTB6EEtfaC9nG5M+YLjpjXQ/0InUWlnp"
    "1ya9wOm+N3ZY/zLzzP36yIMEzqo0nfbysAKmBSJjO6rcxombMZFB/b8MSBpnHWnR45cIvE"
    "+K897cu/0i4imyyyKUE35Q1s4Pm0AePiFbIBFQMzgEwwxM/IJYgDtS9cRzKrupu0ZL2YZF"
    "WSs11yU6PzAXbyRaecSDv/dOAXiLFfKCuyi+OBTbyd39mbFW9nYsOXUYSzH6XQzNnaL1fk"
    "T9/Rl9xYzLzUV03vMYEOsKAq9D46mrPZZaW1mafrNU8z9LUCqr61oZKaleBcTL5VpuTA3s"
    "zI6xzYbxYFvYYlIzVZFGSa2KwKMrG1WRVUvwDErApaNUge7KogtWNNQ/uCnWz5TC/YMldG"
    "pp0jlwmW9jSlwKETJs8nkGewAjSD2FHfT5hDxp6oa4MjaM8wYe34Fxba8d0k7I1Oyd3BHQ"
    "yJrBeJVE1ZRe0NHRon93ZOy2w4EVb5K1lOM1tOghdkNIVMM6QXbfFJOTaCbKYRPy2F+GkB"
    "4qdmrdbLrtXCbKTGfk0ymFIHQZIzQMfcUlCLad3ZFdZhyX65XW8wuEzE972LtFTy5arXvz"
    "k6VtALI+xFMlmxSgJncfyo6dwrAQ/99oh4MKAfLOCG5uYPL82iuRVSSLH30ftImeZtrLAW"
    "JvXJiIPc6Vb8iRLzNZdCqHZJR7vIxda0pSGk/pV2ESWFkc0qUpoPg6F99aJ9j+IN8t+ysv"
    "FxzKWJofEuqIh8qSog7Js3EN2drKQSd+TaNb+/3Q6ucwKyyCUdjWGLg/+p7XAHiHYBuBKM"
    "4hxuOl2biqVkBT2dXr1PbfX5/7HY3RA="
)
