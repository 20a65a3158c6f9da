"""One module per benchmark; each exposes ``run(ctx: bench.runner.Context) -> list[Figure]``.

Not measured here: the wall time of ``make setup`` on a fresh machine (it depends on the
package mirrors and what is already installed); time it by hand with ``time make setup``.
"""
