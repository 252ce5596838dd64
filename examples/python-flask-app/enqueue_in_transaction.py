"""Enqueue a Dispatchr task in the same PostgreSQL transaction as your own write (psycopg2).

    DATABASE_URL=postgres://user@host/db python3 enqueue_in_transaction.py a@example.com
    DATABASE_URL=postgres://user@host/db python3 enqueue_in_transaction.py a@example.com --rollback

The order row and the task commit together or not at all: no task for an order that was never
saved, no saved order whose email is forgotten. `dispatchr_enqueue(queue, tasks)` (docs/spec.md
section 14) is the one SQL entry point; Dispatchr's tables are its own, never written directly.
With --rollback the transaction is rolled back after the enqueue: the order is gone, and the task
with it, so Dispatchr never sends it. The database must hold Dispatchr's schema (`dispatchr
migrate`); libpq's PG* variables (PGOPTIONS="-c search_path=..." for a schema) apply as usual.
"""

import argparse
import json
import os

import psycopg2

ORDERS = """
create table if not exists orders (
  id bigserial primary key,
  email text not null,
  created_at timestamptz not null default now()
)
"""


def place_order(conn, email, rollback=False):
    """Inserts an order and enqueues its receipt email in one transaction; returns (order id, task id)."""
    # psycopg2 opens a transaction on the first statement (BEGIN); nothing is visible to others,
    # the scheduler included, until commit.
    with conn.cursor() as cur:
        cur.execute("insert into orders (email) values (%s) returning id", (email,))
        (order_id,) = cur.fetchone()
        tasks = [{"path": "/receipt", "body": {"orderId": order_id, "email": email}}]
        cur.execute(
            "select index, id, deduplicated from dispatchr_enqueue(%s, %s::json)", ("emails", json.dumps(tasks))
        )
        (_, task_id, deduplicated) = cur.fetchone()
    if rollback:
        conn.rollback()
    else:
        conn.commit()
    return order_id, str(task_id), deduplicated


def main():
    parser = argparse.ArgumentParser(description="Save an order and enqueue its receipt email atomically.")
    parser.add_argument("email")
    parser.add_argument("--rollback", action="store_true", help="roll back after enqueueing: nothing is sent")
    args = parser.parse_args()

    conn = psycopg2.connect(os.environ.get("DATABASE_URL", ""))
    try:
        with conn, conn.cursor() as cur:  # `with conn` commits the table's creation
            cur.execute(ORDERS)
        order_id, task_id, deduplicated = place_order(conn, args.email, rollback=args.rollback)
        if not args.rollback:
            print(f"committed order {order_id} and task {task_id}{f' ({deduplicated})' if deduplicated else ''}")
            return
        with conn, conn.cursor() as cur:
            cur.execute("select count(*) from orders where id = %s", (order_id,))
            (orders,) = cur.fetchone()
        print(f"rolled back order {order_id} and task {task_id}: orders with that id: {orders}; nothing will be sent")
    finally:
        conn.close()


if __name__ == "__main__":
    main()
