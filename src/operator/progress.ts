/**
 * A counted progress bar on stderr ("retried 300/1200 [######------]"), drawn only on a terminal:
 * piped or captured output gets no carriage-return noise. When the total is not known in advance
 * per step (a recorder runs the batches and answers once), it shows one "working" line instead.
 */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

const WIDTH = 30;

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true || total <= 0) return { update() {}, finish() {} };
  let drawn = false;
  const draw = (done: number) => {
    const ratio = Math.min(1, done / total);
    const filled = Math.round(ratio * WIDTH);
    stream.write(
      `\r${label} ${done}/${total} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.round(ratio * 100)}%`,
    );
    drawn = true;
  };
  draw(0);
  return {
    update: draw,
    finish() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}

/** For a step that reports only when it is over. */
export function createSpinnerLine(text: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true) return { update() {}, finish() {} };
  stream.write(`${text}…`);
  return {
    update() {},
    finish() {
      stream.write('\r\u001b[2K');
    },
  };
}
