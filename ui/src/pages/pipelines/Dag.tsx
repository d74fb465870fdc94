// The steps of a pipeline as a graph: plain SVG, layers left to right, an arrow for each
// need. Nodes are buttons (Tab to reach, Enter or Space to pick) when onSelect is given.
import { useId, useMemo, type KeyboardEvent } from 'react';
import { seconds } from '../../format';
import { edgePath, kNodeHeight, kNodeWidth, layout, type DagNode } from './dagLayout';

const kStates = ['waiting', 'running', 'succeeded', 'cached', 'failed', 'skipped', 'cancelled'];

function clip(text: string, chars: number): string {
  return text.length > chars ? text.slice(0, chars - 1) + '…' : text;
}

export function Dag({
  nodes,
  selected,
  onSelect,
  label,
}: {
  nodes: DagNode[];
  selected?: string;
  onSelect?: (name: string) => void;
  label: string;
}) {
  const { placed, columns, width, height } = useMemo(() => layout(nodes), [nodes]);
  const arrow = 'dag-arrow-' + useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const withStates = nodes.some((n) => n.state);

  const onKey = (event: KeyboardEvent, name: string) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect?.(name);
    }
  };

  return (
    <figure className="dag">
      <div className="dag-scroll">
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="group" aria-label={label}>
          <defs>
            <marker id={arrow} viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" className="dag-arrowhead" />
            </marker>
          </defs>
          {[...placed.values()].flatMap((to) =>
            to.node.needs.map((need) => {
              const from = placed.get(need);
              if (!from) return null;
              return <path key={`${need}->${to.node.name}`} className="dag-edge" d={edgePath(from, to, columns)} markerEnd={`url(#${arrow})`} />;
            }),
          )}
          {[...placed.values()].map(({ node, x, y }) => {
            const state = node.state ?? 'plain';
            const time = node.seconds !== null && node.seconds !== undefined ? ' · ' + seconds(node.seconds) : '';
            const interactive = Boolean(onSelect);
            return (
              <g
                key={node.name}
                className={`dag-node ${state}${selected === node.name ? ' selected' : ''}`}
                transform={`translate(${x} ${y})`}
                tabIndex={interactive ? 0 : undefined}
                role={interactive ? 'button' : 'img'}
                aria-pressed={interactive ? selected === node.name : undefined}
                aria-label={`${node.name} (${node.type})${node.state ? ': ' + node.state : ''}`}
                onClick={interactive ? () => onSelect?.(node.name) : undefined}
                onKeyDown={interactive ? (e) => onKey(e, node.name) : undefined}
              >
                <title>{`${node.name} (${node.type})${node.state ? ': ' + node.state : ''}${time}`}</title>
                <rect width={kNodeWidth} height={kNodeHeight} rx={8} />
                <text x={10} y={20} className="dag-name">
                  {clip(node.name, 17)}
                </text>
                <text x={10} y={37} className="dag-type">
                  {clip(node.type, 21)}
                </text>
                {node.state && (
                  <text x={10} y={52} className="dag-state">
                    {clip(node.state + time, 21)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      {withStates && (
        <figcaption className="dag-legend">
          {kStates.map((s) => (
            <span key={s} className={`dag-key ${s}`}>
              <svg width="12" height="12" aria-hidden="true">
                <rect width="12" height="12" rx="3" />
              </svg>
              {s}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
