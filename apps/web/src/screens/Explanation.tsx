import type { Schemas } from '../api/client.ts';
import { When } from '../app/bits.tsx';

/** A release cycle's end of life as words: the cycle, the date, the days left or past. */
export function EolText({ eol }: { eol: { cycle: string; eolDate: string | null; daysLeft: number | null } }) {
  const days = eol.daysLeft;
  return (
    <span>
      cycle <code>{eol.cycle}</code>
      {eol.eolDate ? <>, end of life <time dateTime={eol.eolDate}>{eol.eolDate}</time></> : ', no end-of-life date'}
      {days !== null && (days < 0 ? <strong>, past it by {-days} day{days === -1 ? '' : 's'}</strong> : <>, {days} day{days === 1 ? '' : 's'} left</>)}
    </span>
  );
}

const SKIP_TEXT: Record<string, string> = {};

/** Why an evaluation answered as it did: the family and variant compared, tags skipped, the date counted from. */
export function Explanation({ evaluation }: { evaluation: Schemas['Evaluation'] }) {
  const x = evaluation.explanation;
  return (
    <dl className="facts" data-testid="evaluation">
      <dt>Status</dt><dd>{evaluation.status}</dd>
      {evaluation.reason && <><dt>Reason</dt><dd>{evaluation.reason}</dd></>}
      <dt>Evaluated</dt><dd><When at={evaluation.evaluatedAt} /></dd>
      {evaluation.notes && evaluation.notes.length > 0 && <><dt>Notes</dt><dd><ul>{evaluation.notes.map((n) => <li key={n}>{n}</li>)}</ul></dd></>}
      {evaluation.libyear !== undefined && evaluation.libyear !== null && <><dt>Libyear</dt><dd>{evaluation.libyear} year{evaluation.libyear === 1 ? '' : 's'} between the deployed release and the latest</dd></>}
      {evaluation.eol && <><dt>End of life</dt><dd><EolText eol={evaluation.eol} /></dd></>}
      {evaluation.skipped && evaluation.skipped.length > 0 && (
        <>
          <dt>Releases skipped</dt>
          <dd><ul data-testid="skipped-releases">{evaluation.skipped.map((s) => <li key={s.tag}><code>{s.tag}</code> (<code>{s.versions}</code>){s.reason ? <>: {s.reason}</> : ''}</li>)}</ul></dd>
        </>
      )}
      {evaluation.dateSource === 'first_seen' && <><dt>Days</dt><dd>counted from first gathered (the source gives no publish date)</dd></>}
      {x && (
        <>
          <dt>Family</dt><dd>{x.family === null ? 'none: the deployed version did not parse' : x.family === '' ? 'no prefix (or v)' : <code>{x.family}</code>}{x.familyChosenBy === 'only_family' ? ' (the only family the tags form)' : ''}</dd>
          <dt>Variant</dt><dd>{x.variant === null ? '—' : x.variant === '' ? 'none' : <code>{x.variant}</code>}{x.stableOnly ? ', stable releases only' : ''}</dd>
          {x.deployed && <><dt>Deployed as</dt><dd><code>{x.deployed.tag}</code> ({x.deployed.resolvedAs.replace('_', ' ')})</dd></>}
          {x.latest && <><dt>Latest</dt><dd><code>{x.latest.tag}</code></dd></>}
          <dt>Tags counted</dt><dd>{x.counted}</dd>
          {x.skipped.length > 0 && (
            <>
              <dt>Tags skipped</dt>
              <dd>
                <ul>
                  {x.skipped.map((s) => (
                    <li key={s.reason}>{s.count} {SKIP_TEXT[s.reason] ?? s.reason.replaceAll('_', ' ')}{s.sample.length > 0 && <>: {s.sample.map((t, i) => <span key={t}>{i > 0 && ', '}<code>{t}</code></span>)}</>}</li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          {x.countedFrom && <><dt>Counted from</dt><dd><code>{x.countedFrom.tag}</code>, {x.countedFrom.source === 'first_seen' ? 'first gathered' : 'published'} <When at={x.countedFrom.at} /></dd></>}
        </>
      )}
    </dl>
  );
}
