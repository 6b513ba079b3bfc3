/** @module What the board shows, as the Ticket Service presents it. */
export const STATUSES = ['OPEN', 'IN_PROGRESS', 'REVIEW', 'DONE'] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_LABEL: Record<Status, string> = { OPEN: 'Open', IN_PROGRESS: 'In progress', REVIEW: 'Review', DONE: 'Done' };
export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface Ticket {
  id: string;
  code: string;
  projectId: string;
  title: string;
  description: string | null;
  priority: Priority;
  status: Status;
  labels: string[];
  reporterId: string;
  assigneeId: string | null;
  version: number;
}

export interface Project {
  id: string;
  key: string;
  name: string;
  description: string | null;
  ticketCount: number;
  role?: 'owner' | 'member';
}

export interface Me {
  id: string;
  email: string;
  name: string;
}

export interface Comment {
  id: string;
  authorId: string;
  content: string;
  createdAt?: string;
}

export interface Board {
  projectId: string;
  version: number;
  columns: Record<Status, Ticket[]>;
}
