import assert from "node:assert/strict";
import { Hono } from "hono";
import { onError } from "../hardening.ts";
import { type DeviceAckResult, deviceAckRoutes } from "./device_ack.ts";

function app(acknowledge: (id: string) => Promise<DeviceAckResult>): Hono {
  const a = new Hono();
  a.onError(onError);
  a.route("/", deviceAckRoutes({ devices: { acknowledge } }));
  return a;
}

Deno.test("POST /devices/:id/ack answers only once the acknowledgement is saved", async () => {
  let saved!: () => void;
  const saving = new Promise<void>((r) => (saved = r));
  const asked: string[] = [];
  const pending = Promise.resolve(
    app(async (id) => {
      asked.push(id);
      await saving;
      return { mac: "00:1b:21:3a:4f:5e" };
    }).request("/devices/00-1B-21-3A-4F-5E/ack", { method: "POST" }),
  );
  let answered = false;
  void pending.then(() => (answered = true));
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  assert.equal(answered, false, "no answer while the save is in flight");
  assert.deepEqual(asked, ["00:1b:21:3a:4f:5e"], "the MAC is normalised before it is asked for");
  saved();
  const res = await pending;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { acknowledged: true, mac: "00:1b:21:3a:4f:5e" });
});

Deno.test("POST /devices/:id/ack of a listed device without a MAC is 409 saying to acknowledge by MAC", async () => {
  const res = await app(() => Promise.resolve({ noMac: true })).request("/devices/127.0.0.1/ack", {
    method: "POST",
  });
  assert.equal(res.status, 409);
  const err = (await res.json()).error;
  assert.equal(err.code, "conflict");
  assert.match(err.message, /^the device "127\.0\.0\.1" has no MAC address yet .*acknowledge it by MAC/);
});

Deno.test("POST /devices/:id/ack of an address never seen is 404 naming it", async () => {
  const res = await app(() => Promise.resolve({ unknown: true })).request("/devices/192.0.2.9/ack", {
    method: "POST",
  });
  assert.equal(res.status, 404);
  assert.match((await res.json()).error.message, /"192\.0\.2\.9" has been seen/);
});

Deno.test("POST /devices/:id/ack whose save fails is a 500, not a 200 that would be forgotten", async () => {
  const res = await app(() => Promise.reject(new Error("disk full"))).request("/devices/192.0.2.9/ack", {
    method: "POST",
  });
  assert.equal(res.status, 500);
});
