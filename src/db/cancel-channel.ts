/**
 * PostgreSQL's channel for cancels of running tasks (spec 11.6): the cancel NOTIFYs it with the
 * task's id in its own transaction, so the holding scheduler hears of it at commit and cuts that
 * one request (scheduler/cancel-watch.ts). Databases without NOTIFY are polled instead.
 */
export const CANCEL_CHANNEL = 'dispatchr_cancel';
