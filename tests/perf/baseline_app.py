"""The benchmark's yardstick: the least a FastAPI endpoint can do, served like the real app."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"status": "ok"}
