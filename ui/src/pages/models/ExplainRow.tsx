// "Explain a row": through an endpoint that serves this model, predict one row with
// `explain: true` and show how much each input column pushed the prediction, plus the bias.
import { useEffect, useState, type FormEvent } from 'react';
import { errorText, getJson, path, postJson } from '../../api/client';
import type { Endpoint, ModelVersionDetail, Preview } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import { number } from '../../format';
import { usePoll } from '../../hooks/usePoll';
import { ContributionChart } from './ContributionChart';
import { datasetRef } from './Lineage';

interface Metadata {
  inputs: { name: string; datatype: string }[];
}

interface Explained {
  model: string;
  predictions: {
    prediction: unknown;
    probabilities?: Record<string, number>;
    bias?: number | Record<string, number>;
    contributions?: Record<string, number> | Record<string, Record<string, number>>;
  }[];
}

const modelOf = (ref: string) => (ref.includes('@') ? ref.slice(0, ref.lastIndexOf('@')) : ref);

export function ExplainRow({ detail }: { detail: ModelVersionDetail }) {
  const endpoints = usePoll(() => getJson<{ endpoints: Endpoint[] }>('/api/v1/endpoints'), []);
  const serving = (endpoints.data?.endpoints ?? []).filter((e) => modelOf(e.model) === detail.model);
  const [endpoint, setEndpoint] = useState('');
  const chosen = serving.find((e) => e.name === endpoint) as (Endpoint & { serving?: { version: number } | null }) | undefined;
  useEffect(() => {
    if (!serving.some((e) => e.name === endpoint)) setEndpoint(serving[0]?.name ?? '');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [endpoints.data]);
  const metadata = usePoll(
    () => (endpoint ? getJson<Metadata>(path`/v2/models/${endpoint}`) : Promise.resolve(undefined)),
    [endpoint],
  );
  const inputs = metadata.data?.inputs ?? [];
  const [values, setValues] = useState<Record<string, string>>({});
  const [fillError, setFillError] = useState<string>();
  const [error, setError] = useState<string>();
  const [answer, setAnswer] = useState<Explained>();
  const [group, setGroup] = useState('');
  const [busy, setBusy] = useState(false);
  const dataset = datasetRef(detail.lineage ?? {});

  const fill = async () => {
    if (!dataset) return;
    setFillError(undefined);
    try {
      const preview = await getJson<Preview>(
        path`/api/v1/datasets/${dataset.name}/versions/${dataset.version}/preview` + '?limit=1',
      );
      const row = preview.rows[0] ?? [];
      const next: Record<string, string> = {};
      preview.columns.forEach((c, i) => (next[c.name] = row[i] === null || row[i] === undefined ? '' : String(row[i])));
      setValues(next);
    } catch (e) {
      setFillError(errorText(e));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    const record: Record<string, unknown> = {};
    for (const input of inputs) {
      const text = (values[input.name] ?? '').trim();
      if (text === '') record[input.name] = null;
      else if (input.datatype === 'FP64') record[input.name] = Number(text);
      else if (input.datatype === 'BOOL') record[input.name] = /^(true|1|yes|y|t)$/i.test(text);
      else record[input.name] = text;
    }
    try {
      const result = await postJson<Explained>(path`/api/v1/endpoints/${endpoint}/predict`, { instances: [record], explain: true });
      setAnswer(result);
      setGroup(String(result.predictions[0]?.prediction ?? ''));
    } catch (e) {
      setError(errorText(e));
      setAnswer(undefined);
    } finally {
      setBusy(false);
    }
  };

  const prediction = answer?.predictions[0];
  const multiclass = prediction?.bias !== undefined && typeof prediction.bias === 'object';
  const groups = multiclass ? Object.keys(prediction!.bias as Record<string, number>) : [];
  const shownGroup = groups.includes(group) ? group : (groups[0] ?? '');
  const contributions = (
    multiclass ? (prediction?.contributions as Record<string, Record<string, number>>)?.[shownGroup] : prediction?.contributions
  ) as Record<string, number> | undefined;
  const bias = multiclass ? (prediction?.bias as Record<string, number>)[shownGroup] : (prediction?.bias as number | undefined);

  return (
    <section className="panel explain-row" aria-labelledby="explain-heading">
      <h2 id="explain-heading">Explain a row</h2>
      <ErrorNote error={endpoints.error} />
      {endpoints.data && serving.length === 0 && (
        <p className="muted">
          No endpoint serves {detail.model} yet. Deploy it with the <a href="#deploy-heading">deploy form</a> above, then
          explain rows through it here.
        </p>
      )}
      {serving.length > 0 && (
        <form onSubmit={(e) => void submit(e)}>
          <div className="row align-end">
            <SelectField
              label="Endpoint"
              value={endpoint}
              options={serving.map((e) => ({ value: e.name, label: `${e.name} (serves ${e.model})` }))}
              onChange={setEndpoint}
            />
            <button type="button" className="secondary" disabled={!dataset} onClick={() => void fill()}>
              Fill from dataset
            </button>
          </div>
          {chosen?.serving && chosen.serving.version !== detail.version && (
            <p className="muted">
              {chosen.name} serves version {chosen.serving.version}, not the version {detail.version} shown here: the
              explanation is version {chosen.serving.version}'s.
            </p>
          )}
          <ErrorNote error={fillError ?? metadata.error} />
          <div className="form-grid">
            {inputs.map((input) => (
              <Field key={input.name} label={input.name} hint={input.datatype === 'BOOL' ? 'true or false' : input.datatype === 'BYTES' ? 'text' : undefined}>
                {(id) => (
                  <input
                    id={id}
                    inputMode={input.datatype === 'FP64' ? 'decimal' : undefined}
                    value={values[input.name] ?? ''}
                    onChange={(e) => setValues({ ...values, [input.name]: e.target.value })}
                  />
                )}
              </Field>
            ))}
          </div>
          <div className="row">
            <button type="submit" disabled={busy || !endpoint || inputs.length === 0}>
              Explain
            </button>
            <ErrorNote error={error} />
          </div>
        </form>
      )}
      {prediction && (
        <div className="explanation" aria-live="polite">
          <p>
            <strong>Prediction:</strong> {String(prediction.prediction)} <span className="muted">by {answer!.model}</span>
            {prediction.probabilities && (
              <span className="muted">
                {' '}
                (
                {Object.entries(prediction.probabilities)
                  .map(([c, p]) => `${c}: ${number(p, 3)}`)
                  .join(', ')}
                )
              </span>
            )}
          </p>
          {multiclass && (
            <SelectField label="Contributions to class" value={shownGroup} options={groups} onChange={setGroup} />
          )}
          {contributions ? (
            <>
              <ContributionChart title={`Contributions${multiclass ? ` to ${shownGroup}` : ''} (margin space)`} contributions={contributions} />
              <p>
                Bias: <strong>{number(bias)}</strong>; bias plus the contributions is the model's margin
                {prediction.probabilities ? ' (log-odds) before the probability' : ''}.
              </p>
            </>
          ) : (
            <p className="muted">The answer holds no contributions.</p>
          )}
        </div>
      )}
    </section>
  );
}
