// The form that starts a training run: dataset, target and the search's settings, with
// sensible defaults. On 202 it opens the run's page.
import { useEffect, useState, type FormEvent } from 'react';
import { errorText, getJson, path, postJson } from '../../api/client';
import type { Dataset, DatasetListItem, Job } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import { usePoll } from '../../hooks/usePoll';
import { navigate } from '../../router';

const kLearners = ['xgboost', 'rf', 'linear'];
const kTasks = [
  { value: 'auto', label: 'auto (from the target)' },
  { value: 'binary', label: 'binary' },
  { value: 'multiclass', label: 'multiclass' },
  { value: 'regression', label: 'regression' },
];
const kSearches = ['bayes', 'random', 'grid', 'halving'];
const kEnsembles = ['auto', 'voting', 'stacking', 'bagging', 'none'];

export function StartForm() {
  const datasets = usePoll(() => getJson<{ datasets: DatasetListItem[] }>('/api/v1/datasets'), []);
  const [dataset, setDataset] = useState('');
  const [target, setTarget] = useState('');
  const [task, setTask] = useState('auto');
  const [budget, setBudget] = useState('60');
  const [learners, setLearners] = useState<string[]>(kLearners);
  const [search, setSearch] = useState('bayes');
  const [ensemble, setEnsemble] = useState('auto');
  const [register, setRegister] = useState('');
  const [registerTouched, setRegisterTouched] = useState(false);
  const [seed, setSeed] = useState('');
  const [cv, setCv] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  // The first dataset is picked once the list arrives.
  useEffect(() => {
    const first = datasets.data?.datasets[0]?.name;
    if (!dataset && first) setDataset(first);
  }, [datasets.data, dataset]);

  const schema = usePoll(
    () => (dataset ? getJson<Dataset>(path`/api/v1/datasets/${dataset}`) : Promise.resolve(undefined)),
    [dataset],
  );
  const columns = schema.data?.latest.schema ?? [];

  // A new dataset: the target defaults to its last column, the model name to its name.
  useEffect(() => {
    if (columns.length) setTarget(columns[columns.length - 1].name);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [schema.data]);
  useEffect(() => {
    if (!registerTouched) setRegister(dataset);
  }, [dataset, registerTouched]);

  const toggle = (learner: string, on: boolean) =>
    setLearners((now) => kLearners.filter((l) => (l === learner ? on : now.includes(l))));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (learners.length === 0) {
      setError('Pick at least one learner.');
      return;
    }
    const spec: Record<string, unknown> = {
      dataset,
      target,
      task,
      budget: Number(budget),
      learners,
      search,
      ensemble,
    };
    if (register.trim()) spec.register = register.trim();
    if (seed.trim()) spec.seed = Number(seed);
    if (cv.trim()) spec.cv = Number(cv);
    setBusy(true);
    try {
      const answer = await postJson<{ job: Job }>('/api/v1/training-runs', spec);
      navigate(`/training/${answer.job.id}`);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label="Start a training run">
      <h2>Start a training run</h2>
      <ErrorNote error={datasets.error} />
      <div className="form-grid">
        <Field label="Dataset">
          {(id) => (
            <select id={id} value={dataset} onChange={(e) => setDataset(e.target.value)} required>
              {!dataset && <option value="">{datasets.loading ? 'Loading…' : 'No datasets yet'}</option>}
              {datasets.data?.datasets.map((d) => (
                <option key={d.name} value={d.name}>
                  {d.name} (v{d.latest.version}, {d.latest.row_count.toLocaleString('en-US')} rows)
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Target" hint="the column to predict">
          {(id) => (
            <select id={id} value={target} onChange={(e) => setTarget(e.target.value)} required>
              {columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.type})
                </option>
              ))}
            </select>
          )}
        </Field>
        <SelectField label="Task" value={task} options={kTasks} onChange={setTask} />
        <Field label="Budget (seconds)">
          {(id) => <input id={id} type="number" min={1} step={1} value={budget} onChange={(e) => setBudget(e.target.value)} required />}
        </Field>
        <SelectField label="Search" value={search} options={kSearches} onChange={setSearch} />
        <SelectField label="Ensemble" value={ensemble} options={kEnsembles} onChange={setEnsemble} />
        <Field label="Register as" hint="the model name">
          {(id) => (
            <input
              id={id}
              value={register}
              onChange={(e) => {
                setRegister(e.target.value);
                setRegisterTouched(true);
              }}
            />
          )}
        </Field>
        <Field label="Seed" hint="optional; default 42">
          {(id) => <input id={id} type="number" step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />}
        </Field>
        <Field label="CV folds" hint="optional, 2–20; default 5">
          {(id) => <input id={id} type="number" min={2} max={20} step={1} value={cv} onChange={(e) => setCv(e.target.value)} />}
        </Field>
      </div>
      <fieldset className="learners">
        <legend>Learners</legend>
        <div className="checks">
          {kLearners.map((learner) => (
            <label key={learner}>
              <input type="checkbox" checked={learners.includes(learner)} onChange={(e) => toggle(learner, e.target.checked)} />
              {learner}
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorNote error={schema.error} />
      <div className="row">
        <button type="submit" disabled={busy || !dataset || !target}>
          {busy ? 'Starting…' : 'Start training'}
        </button>
        <ErrorNote error={error} />
      </div>
    </form>
  );
}
