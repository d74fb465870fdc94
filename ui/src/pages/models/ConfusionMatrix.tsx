// The confusion matrix of the out-of-fold predictions: rows are the true class, columns the
// predicted one; a cell's shade grows with its share of its row.
import { number } from '../../format';

export function ConfusionMatrix({ classes, counts }: { classes: string[]; counts: number[][] }) {
  const rowTotals = counts.map((row) => row.reduce((a, b) => a + b, 0));
  return (
    <figure className="chart">
      <figcaption>Confusion matrix</figcaption>
      <div className="table-wrap">
        <table className="grid confusion" aria-label="Confusion matrix">
          <thead>
            <tr>
              <th scope="col">true ↓ / predicted →</th>
              {classes.map((name) => (
                <th scope="col" key={name}>
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {counts.map((row, r) => (
              <tr key={r}>
                <th scope="row">{classes[r] ?? r}</th>
                {row.map((count, c) => {
                  const share = rowTotals[r] ? count / rowTotals[r] : 0;
                  const tone = r === c ? '37, 99, 235' : '220, 38, 38';
                  return (
                    <td
                      key={c}
                      className={share > 0.6 ? 'num dark' : 'num'}
                      style={{ background: `rgba(${tone}, ${(0.08 + share * 0.85).toFixed(3)})` }}
                      title={`${classes[r]} predicted as ${classes[c]}: ${count} (${(share * 100).toFixed(1)}% of the row)`}
                    >
                      {number(count)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
