import { listSchedulers } from '../api/endpoints';
import type { Scheduler } from '../api/types';
import { EmptyState } from '../components/empty-state';
import { ProblemView } from '../components/problem';
import { Time } from '../components/time';
import { formatDuration, formatNumber } from '../format';
import { usePoll } from '../hooks/use-poll';

/** Registered schedulers, alive ones first: heartbeats, leases held and the rate each enforces per queue. */
export function SchedulersPage() {
  const schedulers = usePoll((signal) => listSchedulers(signal), 'schedulers');
  const list = schedulers.data ?? [];
  return (
    <section>
      <h1>Schedulers</h1>
      {schedulers.error ? <ProblemView problem={schedulers.error} /> : null}
      {schedulers.data && list.length === 0 ? (
        <EmptyState title="No scheduler has registered.">
          <p>
            Nothing is dispatched until one runs: start it with{' '}
            <code>npx dispatchr schedule --config dispatchr.yml</code> (<code>npm start</code> runs one for the
            quickstart).
          </p>
        </EmptyState>
      ) : null}
      {list.length > 0 ? (
        <div class="table-scroll">
          <table class="schedulers">
            <thead>
              <tr>
                <th scope="col">Scheduler</th>
                <th scope="col">State</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Leases held</th>
                <th scope="col">Rates in force</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {list.map((scheduler) => (
                <SchedulerRow key={scheduler.id} scheduler={scheduler} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p class="muted small">
        A scheduler silent for five heartbeat intervals is dead: the live ones take over its leases.
      </p>
    </section>
  );
}

function SchedulerRow({ scheduler }: { scheduler: Scheduler }) {
  const queues = scheduler.queues;
  return (
    <tr data-testid={`scheduler-row-${scheduler.id}`}>
      <td>
        <span class="mono break">{scheduler.id}</span>
        <div class="muted small">
          {scheduler.host}, pid {scheduler.pid}
        </div>
      </td>
      <td>
        <span class={`badge ${scheduler.alive ? 'running' : 'dead'}`}>{scheduler.alive ? 'alive' : 'dead'}</span>
      </td>
      <td>
        <Time iso={scheduler.heartbeatAt} />
        <div class="muted small">silent {formatDuration(scheduler.silentMs)}</div>
      </td>
      <td>{scheduler.leasesHeld === undefined ? '—' : formatNumber(scheduler.leasesHeld)}</td>
      <td>
        {queues.length === 0 ? (
          <span class="muted">no queue</span>
        ) : (
          <ul class="plain">
            {queues.map((queue) => {
              const rate = Object.hasOwn(scheduler.rates, queue) ? scheduler.rates[queue] : undefined;
              return (
                <li key={queue}>
                  {queue}:{' '}
                  {rate === undefined
                    ? 'not reported'
                    : rate === null
                      ? 'unlimited'
                      : `${rate < 10 ? rate.toFixed(2) : Math.round(rate)}/s`}
                </li>
              );
            })}
          </ul>
        )}
      </td>
      <td>
        <Time iso={scheduler.startedAt} />
      </td>
    </tr>
  );
}
