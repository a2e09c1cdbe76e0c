import { describe, expect, it } from "vitest";
import { deliveryIdsIn, deliveryMarker, findDeliveryReply, keepDeliveryMarkers, mustLookForReply, withDeliveryMarker } from "../../src/github/delivery-reply.js";
import { isRerun } from "../../workers/webhooks.js";

const bot = { login: "lego[bot]", type: "Bot" };
const human = { login: "alice", type: "User" };

describe("delivery markers", () => {
  it("marks a body and reads the id back, GitHub UUIDs and test ids alike", () => {
    const id = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    const body = withDeliveryMarker("Here is the help.", id);
    expect(body).toBe(`Here is the help.\n\n<!-- lego:delivery=${id} -->`);
    expect(deliveryIdsIn(body)).toEqual([id]);
    expect(deliveryIdsIn(withDeliveryMarker("x", "fault-12-345"))).toEqual(["fault-12-345"]);
    expect(deliveryIdsIn("no marker <!-- lego:meta {} -->")).toEqual([]);
    expect(deliveryIdsIn(null)).toEqual([]);
  });

  it("refuses an id that could break out of the HTML comment", () => {
    expect(() => deliveryMarker("x --> <img src=y>")).toThrow(/cannot go in a comment marker/);
    expect(() => deliveryMarker("")).toThrow(/cannot go in a comment marker/);
    expect(() => deliveryMarker("a".repeat(129))).toThrow(/1–128/);
  });

  it("finds the app's reply for this delivery only, never a human's comment quoting the marker", () => {
    const comments = [
      { id: 1, body: withDeliveryMarker("quoted", "d1"), user: human },
      { id: 2, body: withDeliveryMarker("other delivery", "d2"), user: bot },
      { id: 3, body: withDeliveryMarker("the reply", "d1"), user: bot },
    ];
    expect(findDeliveryReply(comments, "d1")?.id).toBe(3);
    expect(findDeliveryReply(comments, "d2")?.id).toBe(2);
    expect(findDeliveryReply(comments, "d3")).toBeUndefined();
    // "d1" must not match "d10".
    expect(findDeliveryReply([{ id: 4, body: withDeliveryMarker("r", "d10"), user: bot }], "d1")).toBeUndefined();
  });

  it("looks on GitHub only in a re-run of the same delivery", () => {
    expect(mustLookForReply(undefined, "d1")).toBe(false);
    expect(mustLookForReply({ deliveryId: "d1", rerun: false }, "d1")).toBe(false);
    expect(mustLookForReply({ deliveryId: "d1", rerun: true }, "d1")).toBe(true);
    expect(mustLookForReply({ deliveryId: "d2", rerun: true }, "d1")).toBe(false);
  });

  it("counts a stalled job taken over (started twice) and a retry as re-runs", () => {
    expect(isRerun(undefined)).toBe(false);
    expect(isRerun({ attemptsMade: 0, attemptsStarted: 1 })).toBe(false);
    expect(isRerun({ attemptsMade: 0, attemptsStarted: 2 })).toBe(true);
    expect(isRerun({ attemptsMade: 1, attemptsStarted: 2 })).toBe(true);
  });
});

describe("keepDeliveryMarkers", () => {
  it("carries the markers of the previous body into a re-rendered one, once", () => {
    const previous = withDeliveryMarker("queued", "d1");
    expect(keepDeliveryMarkers(previous, "running")).toBe(withDeliveryMarker("running", "d1"));
    expect(keepDeliveryMarkers(withDeliveryMarker("running", "d1"), withDeliveryMarker("done", "d1"))).toBe(withDeliveryMarker("done", "d1"));
    expect(keepDeliveryMarkers("no marker", "running")).toBe("running");
    expect(keepDeliveryMarkers(null, "running")).toBe("running");
  });
});
