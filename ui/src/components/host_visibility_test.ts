import assert from "node:assert/strict";
import { answersText } from "./host_visibility.ts";

const query = { ts: "2024-01-15T09:00:00Z", name: "www.example.com", type: "A", server: "192.0.2.53" };

Deno.test("answersText() lists answers with their TTL, or says why there are none", () => {
  assert.equal(
    answersText({
      ...query,
      rcode: "NOERROR",
      answers: [{ type: "CNAME", data: "cdn.example.net", ttl: 300 }, {
        type: "A",
        data: "192.0.2.1",
        ttl: 60,
      }],
    }),
    "CNAME cdn.example.net (TTL 300 s), A 192.0.2.1 (TTL 60 s)",
  );
  assert.equal(answersText({ ...query, rcode: "NXDOMAIN", answers: [] }), "NXDOMAIN");
  assert.equal(answersText({ ...query, rcode: "NOERROR", answers: [] }), "no address (NOERROR)");
  assert.equal(answersText({ ...query, rcode: null, answers: [] }), "no response seen");
});
