/**
 * @module A small, safe Markdown subset rendered as React elements (never as HTML): paragraphs,
 * headings, lists, code blocks, `code`, **bold**, *emphasis* and http(s) links. Text is text, so
 * nothing in a description can run script.
 */
import type { ReactNode } from 'react';

const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*]+\*|\[[^\]]+\]\([^)\s]+\))/g;

function inline(text: string): ReactNode[] {
  return text.split(INLINE).map((part, i) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1) return <code key={i}>{part.slice(1, -1)}</code>;
    if (part.startsWith('**') && part.endsWith('**') && part.length > 3) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.startsWith('*') && part.endsWith('*') && part.length > 1) return <em key={i}>{part.slice(1, -1)}</em>;
    const link = part.match(/^\[([^\]]+)\]\(([^)\s]+)\)$/);
    if (link) {
      const href = URL.parse(link[2]!, location.origin);
      return href && /^https?:$/.test(href.protocol) ? <a key={i} href={href.toString()} rel="noopener noreferrer nofollow" target="_blank">{link[1]}</a> : link[1];
    }
    return part;
  });
}

export function Markdown({ text }: { text: string }) {
  const blocks: ReactNode[] = [];
  const chunks = text.replace(/\r\n/g, '\n').split(/```/);
  chunks.forEach((chunk, ci) => {
    if (ci % 2 === 1) {
      blocks.push(<pre key={`c${ci}`}><code>{chunk.replace(/^[^\n]*\n/, '')}</code></pre>);
      return;
    }
    chunk.split(/\n{2,}/).forEach((para, pi) => {
      const lines = para.split('\n').filter((l) => l.trim());
      if (!lines.length) return;
      const key = `${ci}-${pi}`;
      const h = lines[0]!.match(/^(#{1,3})\s+(.*)$/);
      if (h && lines.length === 1) {
        const Tag = (['h3', 'h4', 'h5'] as const)[h[1]!.length - 1]!;
        blocks.push(<Tag key={key}>{inline(h[2]!)}</Tag>);
      } else if (lines.every((l) => /^\s*[-*]\s+/.test(l))) {
        blocks.push(<ul key={key}>{lines.map((l, i) => <li key={i}>{inline(l.replace(/^\s*[-*]\s+/, ''))}</li>)}</ul>);
      } else if (lines.every((l) => /^\s*\d+[.)]\s+/.test(l))) {
        blocks.push(<ol key={key}>{lines.map((l, i) => <li key={i}>{inline(l.replace(/^\s*\d+[.)]\s+/, ''))}</li>)}</ol>);
      } else {
        blocks.push(<p key={key}>{lines.flatMap((l, i) => (i ? [<br key={`b${i}`} />, ...inline(l)] : inline(l)))}</p>);
      }
    });
  });
  return <div className="markdown">{blocks}</div>;
}
