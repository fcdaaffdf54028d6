import assert from "node:assert/strict";
import { sampleAnomaly } from "../../tests/helpers/sample_events.ts";
import { MAX_RECENT, mergeAnomalies } from "./live_state.ts";
import type { StoredAnomaly } from "./types.ts";

/** Episode `ep`'s open (or closed) event with bus id `id`. */
function ep(episode: string, id: number, phase: "open" | "closed" = "open"): StoredAnomaly {
  return { ...sampleAnomaly(500_000, `${episode} ${phase}`, { episode_id: episode, phase }), id };
}

Deno.test("mergeAnomalies() replaces an episode in place with its closed event, as GET /anomalies does", () => {
  const list = [ep("b", 2), ep("a", 1)];
  const merged = mergeAnomalies(list, [ep("a", 3, "closed")]);
  assert.deepEqual(merged.map((a) => [a.episode_id, a.phase, a.id]), [["b", "open", 2], ["a", "closed", 3]]);
});

Deno.test("mergeAnomalies() puts new episodes first, newest first, each once within one batch", () => {
  const merged = mergeAnomalies([ep("a", 1)], [ep("b", 2), ep("c", 3), ep("b", 4, "closed")]);
  assert.deepEqual(merged.map((a) => [a.episode_id, a.id]), [["c", 3], ["b", 4], ["a", 1]]);
});

Deno.test("mergeAnomalies() keeps at most MAX_RECENT episodes, dropping the oldest", () => {
  const many = Array.from({ length: MAX_RECENT }, (_, i) => ep(`old-${i}`, i + 1)).reverse();
  const merged = mergeAnomalies(many, [ep("new", MAX_RECENT + 1)]);
  assert.equal(merged.length, MAX_RECENT);
  assert.equal(merged[0].episode_id, "new");
  assert.ok(!merged.some((a) => a.episode_id === "old-0"), "the oldest went");
});
