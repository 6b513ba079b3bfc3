/**
 * @module Templates per kind and locale: a subject, a plain-text part and an HTML part, plus the
 * short title and body of the in-app and push forms. User content (titles, names, comments) is
 * escaped in HTML and stripped of line breaks where a header could carry it.
 */
import type { Kind, Locale } from './kinds.ts';

export interface MessageContext {
  recipientName: string;
  actorName?: string | null;
  ticket?: { code: string; title: string } | null;
  project?: { key: string; name: string | null } | null;
  /** The comment text (commented, mentioned). */
  excerpt?: string | null;
  status?: { from: string; to: string } | null;
}

export interface Rendered {
  /** In-app and push title; the email subject too. */
  title: string;
  /** One line for in-app and push. */
  body: string;
  subject: string;
  text: string;
  html: string;
  link: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').trim();
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

type Parts = { title: string; greeting: string; lines: string[]; cta: string; footer: string };
type Template = (c: MessageContext, who: string) => Parts;

const STATUS: Record<Locale, Record<string, string>> = {
  es: { OPEN: 'Abierto', IN_PROGRESS: 'En curso', REVIEW: 'En revisión', DONE: 'Hecho' },
  en: { OPEN: 'Open', IN_PROGRESS: 'In progress', REVIEW: 'In review', DONE: 'Done' },
};

const ticketOf = (c: MessageContext) => c.ticket ?? { code: '?', title: '' };
const projectOf = (c: MessageContext) => c.project?.name ?? c.project?.key ?? '?';

const TEMPLATES: Record<Locale, Record<Kind, Template>> = {
  es: {
    assigned: (c) => ({
      title: `Se te ha asignado el ticket ${ticketOf(c).code}: ${ticketOf(c).title}`,
      greeting: `¡Hola ${c.recipientName}!`,
      lines: [`Se te ha asignado el ticket ${ticketOf(c).code}: ${ticketOf(c).title}.`, ...(c.actorName ? [`Asignado por ${c.actorName}.`] : [])],
      cta: 'Ver el ticket',
      footer: 'Recibes este correo porque tienes activados los avisos de asignación.',
    }),
    commented: (c, who) => ({
      title: `${who} comentó en ${ticketOf(c).code}: ${ticketOf(c).title}`,
      greeting: `¡Hola ${c.recipientName}!`,
      lines: [`${who} comentó en el ticket ${ticketOf(c).code}: ${ticketOf(c).title}.`, `«${clip(c.excerpt ?? '', 500)}»`],
      cta: 'Ver el comentario',
      footer: 'Recibes este correo porque sigues este ticket.',
    }),
    mentioned: (c, who) => ({
      title: `${who} te mencionó en ${ticketOf(c).code}: ${ticketOf(c).title}`,
      greeting: `¡Hola ${c.recipientName}!`,
      lines: [`${who} te mencionó en el ticket ${ticketOf(c).code}: ${ticketOf(c).title}.`, `«${clip(c.excerpt ?? '', 500)}»`],
      cta: 'Ver el comentario',
      footer: 'Recibes este correo porque te mencionaron.',
    }),
    status_changed: (c, who) => ({
      title: `${ticketOf(c).code} pasó a ${STATUS.es[c.status?.to ?? ''] ?? c.status?.to}`,
      greeting: `¡Hola ${c.recipientName}!`,
      lines: [`${who} movió el ticket ${ticketOf(c).code}: ${ticketOf(c).title} de ${STATUS.es[c.status?.from ?? ''] ?? c.status?.from} a ${STATUS.es[c.status?.to ?? ''] ?? c.status?.to}.`],
      cta: 'Ver el ticket',
      footer: 'Recibes este correo porque activaste los avisos de cambios de estado.',
    }),
    member_added: (c) => ({
      title: `Te han añadido al proyecto ${projectOf(c)}`,
      greeting: `¡Hola ${c.recipientName}!`,
      lines: [`${c.actorName ?? 'Alguien'} te ha añadido al proyecto ${projectOf(c)} (${c.project?.key ?? ''}).`],
      cta: 'Abrir el tablero',
      footer: 'Recibes este correo porque te añadieron a un proyecto.',
    }),
    welcome: (c) => ({
      title: 'Bienvenido a SyncroBoard',
      greeting: `¡Hola ${c.recipientName}!`,
      lines: ['Tu cuenta está lista. Aquí te avisaremos cuando te asignen tickets o comenten en los tuyos.'],
      cta: 'Abrir SyncroBoard',
      footer: 'Recibes este correo porque acabas de crear tu cuenta.',
    }),
  },
  en: {
    assigned: (c) => ({
      title: `You have been assigned ${ticketOf(c).code}: ${ticketOf(c).title}`,
      greeting: `Hi ${c.recipientName}!`,
      lines: [`You have been assigned ticket ${ticketOf(c).code}: ${ticketOf(c).title}.`, ...(c.actorName ? [`Assigned by ${c.actorName}.`] : [])],
      cta: 'View the ticket',
      footer: 'You get this email because assignment notifications are on.',
    }),
    commented: (c, who) => ({
      title: `${who} commented on ${ticketOf(c).code}: ${ticketOf(c).title}`,
      greeting: `Hi ${c.recipientName}!`,
      lines: [`${who} commented on ticket ${ticketOf(c).code}: ${ticketOf(c).title}.`, `“${clip(c.excerpt ?? '', 500)}”`],
      cta: 'View the comment',
      footer: 'You get this email because you follow this ticket.',
    }),
    mentioned: (c, who) => ({
      title: `${who} mentioned you on ${ticketOf(c).code}: ${ticketOf(c).title}`,
      greeting: `Hi ${c.recipientName}!`,
      lines: [`${who} mentioned you on ticket ${ticketOf(c).code}: ${ticketOf(c).title}.`, `“${clip(c.excerpt ?? '', 500)}”`],
      cta: 'View the comment',
      footer: 'You get this email because you were mentioned.',
    }),
    status_changed: (c, who) => ({
      title: `${ticketOf(c).code} moved to ${STATUS.en[c.status?.to ?? ''] ?? c.status?.to}`,
      greeting: `Hi ${c.recipientName}!`,
      lines: [`${who} moved ticket ${ticketOf(c).code}: ${ticketOf(c).title} from ${STATUS.en[c.status?.from ?? ''] ?? c.status?.from} to ${STATUS.en[c.status?.to ?? ''] ?? c.status?.to}.`],
      cta: 'View the ticket',
      footer: 'You get this email because status notifications are on.',
    }),
    member_added: (c) => ({
      title: `You were added to project ${projectOf(c)}`,
      greeting: `Hi ${c.recipientName}!`,
      lines: [`${c.actorName ?? 'Someone'} added you to project ${projectOf(c)} (${c.project?.key ?? ''}).`],
      cta: 'Open the board',
      footer: 'You get this email because you were added to a project.',
    }),
    welcome: (c) => ({
      title: 'Welcome to SyncroBoard',
      greeting: `Hi ${c.recipientName}!`,
      lines: ['Your account is ready. We will tell you here when tickets are assigned to you or someone comments on yours.'],
      cta: 'Open SyncroBoard',
      footer: 'You get this email because you just created your account.',
    }),
  },
};

const UNSUBSCRIBE: Record<Locale, string> = { es: 'Dejar de recibir estos correos', en: 'Unsubscribe from these emails' };

export function linkFor(appUrl: string, c: MessageContext): string {
  const base = appUrl.replace(/\/+$/, '');
  if (c.ticket) return `${base}/tickets/${encodeURIComponent(c.ticket.code)}`;
  if (c.project) return `${base}/projects/${encodeURIComponent(c.project.key)}`;
  return `${base}/`;
}

export function render(kind: Kind, locale: Locale, c: MessageContext, appUrl: string, unsubscribeUrl?: string): Rendered {
  const who = c.actorName ?? (locale === 'es' ? 'Alguien' : 'Someone');
  const p = TEMPLATES[locale][kind](c, who);
  const link = linkFor(appUrl, c);
  const title = clip(oneLine(p.title), 200);
  const text = [p.greeting, '', ...p.lines, '', `${p.cta}: ${link}`, '', '--', p.footer, ...(unsubscribeUrl ? [`${UNSUBSCRIBE[locale]}: ${unsubscribeUrl}`] : [])].join('\n');
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2937">
<p>${escapeHtml(p.greeting)}</p>
${p.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}
<p><a href="${escapeHtml(link)}" style="background:#2563eb;color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none">${escapeHtml(p.cta)}</a></p>
<hr><p style="font-size:12px;color:#6b7280">${escapeHtml(p.footer)}${unsubscribeUrl ? ` <a href="${escapeHtml(unsubscribeUrl)}">${escapeHtml(UNSUBSCRIBE[locale])}</a>` : ''}</p>
</body></html>`;
  return { title, body: clip(oneLine(p.lines[0] ?? title), 300), subject: title, text, html, link };
}
