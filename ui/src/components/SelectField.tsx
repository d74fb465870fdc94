// A labelled <select> whose options come from a list: the same DOM as a Field holding a
// <select id>, so the label still finds the control.
import { Field } from './Field';

export type SelectOption = string | { value: string; label: string };

export function SelectField({
  label,
  value,
  options,
  onChange,
  hint,
  disabled,
  placeholder,
}: {
  label: string;
  value: string;
  options: readonly SelectOption[];
  onChange: (value: string) => void;
  hint?: string;
  disabled?: boolean;
  placeholder?: string; // a first option, value '', with this text
}) {
  return (
    <Field label={label} hint={hint}>
      {(id) => (
        <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((option) => {
            const { value: v, label: text } = typeof option === 'string' ? { value: option, label: option } : option;
            return (
              <option key={v} value={v}>
                {text}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}
