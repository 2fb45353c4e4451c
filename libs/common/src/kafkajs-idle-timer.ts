/**
 * kafkajs 2.2.4 (its last release) keeps a 1 ms timer running forever on every broker connection
 * once it has answered a request: `checkPendingRequests` always ends by scheduling itself again,
 * with a negative delay when nothing is throttled. An idle service spent about 30 ms of CPU a second
 * on those timers. With no request pending there is nothing to check: a request that has
 * to wait (in-flight limit, throttling) schedules the check itself when it is queued, and an
 * answer checks the queue at once.
 */
interface RequestQueue {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

const requestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueue };
const schedule = requestQueue.prototype.scheduleCheckPendingRequests;

requestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
  if (this.pending.length > 0) schedule.call(this);
};

export {}; // a module: imported once, for the change above
