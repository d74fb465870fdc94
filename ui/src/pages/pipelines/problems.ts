// A 400 from applying a pipeline lists each problem as "line L, column C: what" in its message.
export interface Problem {
  line: number;
  column: number;
  text: string;
}

export function problemsIn(message: string): Problem[] {
  const problems: Problem[] = [];
  for (const row of message.split('\n')) {
    const found = /^\s*line (\d+), column (\d+): (.*)$/.exec(row);
    if (found) problems.push({ line: Number(found[1]), column: Number(found[2]), text: found[3] });
  }
  return problems;
}

// The offset in `text` of a 1-based line and column, for putting the cursor there.
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}
