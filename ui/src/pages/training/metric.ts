// Which way a training metric improves: losses go down, scores go up.
const kLowerIsBetter = new Set(['log_loss', 'rmse', 'mae']);

export function lowerIsBetter(metric: string | undefined): boolean {
  return kLowerIsBetter.has(metric ?? '');
}

// a before b when a is the better score.
export function better(metric: string | undefined) {
  const down = lowerIsBetter(metric);
  return (a: number, b: number) => (down ? a - b : b - a);
}
