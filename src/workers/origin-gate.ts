/**
 * At most `limit` attempts per origin in undici at once: as many as its Agent has connections per
 * origin, so every attempt handed over gets a connection at once (an idle one, or one it opens).
 * The others wait here, in order. Why not let undici queue them: an attempt's deadline starts when
 * it is handed over, and an attempt waiting in undici's queue for a connection would spend its
 * timeout there, timing out although its target never saw it. How long an attempt may wait here
 * is bounded by its lease (send-request.ts).
 *
 * A waiter returns whether it took the slot: one that settled without sending (its batch was
 * aborted, its lease ran short meanwhile) passes the slot straight on.
 */
export type GateWaiter = () => boolean;

export class OriginGate {
  private active = 0;
  private readonly waiting: GateWaiter[] = [];

  constructor(private readonly limit: number) {}

  enter(start: GateWaiter): void {
    if (this.active >= this.limit) {
      this.waiting.push(start);
      return;
    }
    this.active++;
    if (!start()) this.leave();
  }

  /** Called once per attempt that took a slot, when it has settled. */
  leave(): void {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) if (next()) return;
    this.active--;
  }
}

/** One gate per (Agent, origin). Agents live as long as their thread; their gates go with them. */
const gates = new WeakMap<object, Map<string, OriginGate>>();

export function gateFor(agent: object, origin: string, limit: number): OriginGate {
  let byOrigin = gates.get(agent);
  if (!byOrigin) gates.set(agent, (byOrigin = new Map()));
  let gate = byOrigin.get(origin);
  if (!gate) byOrigin.set(origin, (gate = new OriginGate(limit)));
  return gate;
}
