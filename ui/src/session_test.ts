import assert from "node:assert/strict";
import { loadSession, login, logout, normalizeAgentUrl, session, SESSION_KEY } from "./session.ts";

/** A Storage kept in a Map, as localStorage behaves. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

Deno.test("normalizeAgentUrl() defaults to this origin and drops trailing slashes", () => {
  assert.equal(normalizeAgentUrl("", "http://10.0.0.5:8480"), "http://10.0.0.5:8480");
  assert.equal(normalizeAgentUrl(" http://a.lan:8480/ ", "http://x"), "http://a.lan:8480");
  assert.equal(normalizeAgentUrl("b.lan:8480", "https://x"), "https://b.lan:8480");
});

Deno.test("a session survives a reload through storage and logout forgets it", () => {
  const storage = memoryStorage();
  login({ url: "http://a", token: "t0k3n" }, storage);
  assert.deepEqual(loadSession(storage), { url: "http://a", token: "t0k3n" });
  logout(storage);
  assert.equal(session.value, null);
  assert.equal(loadSession(storage), null);
  storage.setItem(SESSION_KEY, "{broken");
  assert.equal(loadSession(storage), null);
});
