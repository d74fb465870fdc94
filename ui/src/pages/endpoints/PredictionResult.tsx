// The answer of one prediction, and a way to send back the right answer for live quality.
import { useState, type FormEvent } from 'react';
import { errorText, path, postJson } from '../../api/client';
import { BarChart } from '../../components/BarChart';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { number } from '../../format';

export interface PredictAnswer {
  endpoint: string;
  model: string;
  version: number;
  id: string;
  predictions: { id: string; prediction: unknown; probabilities?: Record<string, number> }[];
}

export function PredictionResult({ endpoint, answer }: { endpoint: string; answer: PredictAnswer }) {
  const first = answer.predictions[0];
  const probabilities = Object.entries(first?.probabilities ?? {});
  const value = first ? (typeof first.prediction === 'number' ? number(first.prediction, 6) : String(first.prediction)) : '—';
  return (
    <div className="ep-result">
      <div aria-label="Prediction result" role="status">
        <p className="ep-prediction">prediction: {value}</p>
        {probabilities.length > 0 && (
          <ul className="ep-probabilities">
            {probabilities.map(([label, p]) => (
              <li key={label}>
                {label}: {number(p, 4)}
              </li>
            ))}
          </ul>
        )}
      </div>
      {probabilities.length > 0 && (
        <div className="ep-bars">
          <BarChart title="Class probabilities" horizontal bars={probabilities.map(([label, p]) => ({ label, value: p }))} format={(v) => number(v, 3)} />
        </div>
      )}
      <dl className="facts">
        <dt>Answered by</dt>
        <dd>{answer.model}</dd>
        <dt>Prediction id</dt>
        <dd className="mono">{first?.id ?? answer.id}</dd>
      </dl>
      {first && <Feedback endpoint={endpoint} id={first.id} numeric={typeof first.prediction === 'number'} />}
    </div>
  );
}

function Feedback({ endpoint, id, numeric }: { endpoint: string; id: string; numeric: boolean }) {
  const [truth, setTruth] = useState('');
  const [error, setError] = useState<string>();
  const [sent, setSent] = useState<string>();
  const [busy, setBusy] = useState(false);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSent(undefined);
    setBusy(true);
    try {
      const value = numeric && truth.trim() !== '' && Number.isFinite(Number(truth)) ? Number(truth) : truth;
      await postJson(path`/api/v1/endpoints/${endpoint}/feedback`, { id, truth: value });
      setSent(`Feedback sent: ${truth}`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="ep-feedback" onSubmit={(e) => void send(e)}>
      <Field label="Right answer">
        {(fieldId) => <input id={fieldId} value={truth} onChange={(e) => setTruth(e.target.value)} required />}
      </Field>
      <div className="row">
        <button type="submit" className="secondary" disabled={busy}>
          Send feedback
        </button>
        {sent && <span className="notice">{sent}</span>}
      </div>
      <ErrorNote error={error} />
    </form>
  );
}
