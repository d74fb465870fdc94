// The metric that best sums up a model version: the training metric when the version names
// it, else the task's default.
const kDefaults: Record<string, string[]> = {
  binary: ['roc_auc', 'accuracy', 'log_loss'],
  multiclass: ['log_loss', 'accuracy', 'roc_auc'],
  regression: ['rmse', 'r2', 'mae'],
};

export function mainMetric(
  task: string,
  metrics: Record<string, number>,
  preferred?: string,
): { name: string; value: number } | undefined {
  const names = [preferred, ...(kDefaults[task] ?? []), ...Object.keys(metrics)];
  for (const name of names) {
    if (name && typeof metrics[name] === 'number') return { name, value: metrics[name] };
  }
  return undefined;
}
