// The optional canary (a model answering a share of the requests) and shadow (a model that
// sees every request, answering only the prediction log) of an endpoint.
import { Field } from '../../components/Field';

export interface Traffic {
  canary: string;
  percent: string;
  shadow: string;
}

export function trafficBody(traffic: Traffic): { canary: { model: string; percent: number } | null; shadow: string | null } {
  const canary = traffic.canary.trim();
  const shadow = traffic.shadow.trim();
  return {
    canary: canary ? { model: canary, percent: Number(traffic.percent || '0') } : null,
    shadow: shadow || null,
  };
}

export function TrafficFields({ traffic, onChange }: { traffic: Traffic; onChange: (next: Traffic) => void }) {
  return (
    <div className="form-grid">
      <Field label="Canary model" hint="optional, e.g. credit@4">
        {(id) => <input id={id} value={traffic.canary} onChange={(e) => onChange({ ...traffic, canary: e.target.value })} />}
      </Field>
      <Field label="Canary percent" hint="share of requests the canary answers">
        {(id) => (
          <input
            id={id}
            type="number"
            min={0}
            max={100}
            step="any"
            value={traffic.percent}
            disabled={!traffic.canary.trim()}
            onChange={(e) => onChange({ ...traffic, percent: e.target.value })}
          />
        )}
      </Field>
      <Field label="Shadow model" hint="optional: sees every request, answers only the log">
        {(id) => <input id={id} value={traffic.shadow} onChange={(e) => onChange({ ...traffic, shadow: e.target.value })} />}
      </Field>
    </div>
  );
}
