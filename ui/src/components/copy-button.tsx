import { useState } from 'preact/hooks';

/** Copies text to the clipboard; where the browser refuses, says to select and copy by hand. */
export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    window.setTimeout(() => setDone(null), 2500);
  };
  return (
    <span>
      <button type="button" data-testid={testId} onClick={() => void copy()}>
        {label}
      </button>
      <span class="muted small" role="status">
        {done === 'copied' ? ' Copied.' : done === 'failed' ? ' The browser refused: select the text and copy it.' : ''}
      </span>
    </span>
  );
}
