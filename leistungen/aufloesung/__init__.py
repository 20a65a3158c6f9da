"""Resolution of responsibility rules into ``Zustaendigkeit`` rows (internal to services).

For one Land × service everything is loaded into memory once: the Land's Gemeinden (all
validity intervals), its Kreise, Verbände and Regierungsbezirke, the rules and the
exceptions. Time is cut at every date where a rule, an exception or a Gemeinde starts or
ends; within such an interval the answer cannot change, so it is computed once per
interval and Gemeinde. Consecutive intervals with the same answer are merged. The result
is compared with the stored rows and only the difference is written.

Precedence inside an interval: an exception whose authority covers the Gemeinde (its own
Gemeinde, the Gemeinden of its Verband, Kreis, Regierungsbezirk or Land; the most specific
unit wins), otherwise the authority of the unit at the rule's level.

Submodules by sub-domain (import the names from here):

* :mod:`~leistungen.aufloesung.behoerden`: key, name and kind of a unit's authority
  (:func:`behoerde_daten`, :func:`kreisfreie_gemeinde`, :func:`suchname`).
* :mod:`~leistungen.aufloesung.zeit`: validity bounds and the cut points of time.
* :mod:`~leistungen.aufloesung.gebiet`: the Land's territory in memory and the authority
  of each level for a Gemeinde (``LandDaten``).
* :mod:`~leistungen.aufloesung.soll`: the desired rows per Gemeinde and interval.
* :mod:`~leistungen.aufloesung.abgleich`: :func:`aufloesen`, which compares the desired
  rows with the stored ones and writes only the difference.
"""

from leistungen.aufloesung.abgleich import aufloesen
from leistungen.aufloesung.behoerden import (
    BehoerdeDaten,
    behoerde_daten,
    kreisfreie_gemeinde,
    suchname,
)
from leistungen.aufloesung.gebiet import (
    HINWEIS_GEMEINDEFREI,
    HINWEIS_OHNE_KREIS,
    HINWEIS_OHNE_REGBEZ,
)
from leistungen.aufloesung.zeit import ANFANG, ENDE, TAG

__all__ = [
    "ANFANG",
    "ENDE",
    "HINWEIS_GEMEINDEFREI",
    "HINWEIS_OHNE_KREIS",
    "HINWEIS_OHNE_REGBEZ",
    "TAG",
    "BehoerdeDaten",
    "aufloesen",
    "behoerde_daten",
    "kreisfreie_gemeinde",
    "suchname",
]
