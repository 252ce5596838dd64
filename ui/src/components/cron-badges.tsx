import type { CronEntry } from '../api/types';

const STATUS_WORDS: Record<CronEntry['status'], string> = {
  active: 'fires on schedule',
  paused: 'paused by an operator: its fire times pass without a run',
  disabled: 'enabled: false in its definition: it never fires',
  orphaned: 'no longer in the config: it never fires, and can be deleted',
};

/** Active, paused, disabled or orphaned, with what that means on hover. */
export function CronStatusBadge({ status, testId }: { status: CronEntry['status']; testId?: string }) {
  return (
    <span class={`badge cron-${status}`} data-testid={testId} title={STATUS_WORDS[status]}>
      {status}
    </span>
  );
}

/** Config entries change only in dispatchr.yml; API entries through PUT /v1/cron/{name}. */
export function CronSourceBadge({ source }: { source: CronEntry['source'] }) {
  return (
    <span
      class={`badge source-${source}`}
      title={source === 'config' ? 'defined in dispatchr.yml' : 'defined through the API'}
    >
      {source}
    </span>
  );
}
