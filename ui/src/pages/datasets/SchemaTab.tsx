// The version's columns and their DuckDB types.
import type { Column } from '../../api/types';

export function SchemaTab({ columns }: { columns: Column[] }) {
  return (
    <div className="table-wrap">
      <table className="grid schema" aria-label="Schema">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Column</th>
            <th>Type</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((column, i) => (
            <tr key={column.name}>
              <td className="num muted">{i + 1}</td>
              <td>{column.name}</td>
              <td className="mono">{column.type}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
