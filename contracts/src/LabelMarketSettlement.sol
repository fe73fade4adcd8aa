// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {LabelMarketBase} from "./LabelMarketBase.sol";

/// @title Settlement of LabelMarket tasks
/// @dev The second layer of `LabelMarket`: `finalize` and the grading and payout internals
/// behind it. The settlement rules it implements are in the NatSpec of `LabelMarket`.
abstract contract LabelMarketSettlement is LabelMarketBase {
    /// @dev 32 accept verdicts in a row, as one word.
    uint256 private constant ALL_ACCEPT = 0x0101010101010101010101010101010101010101010101010101010101010101;

    // ---------------------------------------------------------------- settlement

    /// @notice Settles a task after its last deadline (anyone may call it, once).
    /// @param labels R entries in seat order: the revealed labels of each revealed seat, any
    ///   bytes (best empty) for the others.
    /// @param goldIndices,goldLabels The revealed gold (from `GoldRevealed`); ignored when no
    ///   gold was revealed.
    /// @param verdicts R * V entries, entry seat * V + reviewSlot: the revealed verdicts of
    ///   each revealed review seat, any bytes (best empty) for the others.
    function finalize(
        uint256 taskId,
        bytes[] calldata labels,
        uint16[] calldata goldIndices,
        bytes calldata goldLabels,
        bytes[] calldata verdicts
    ) external nonReentrant {
        Task storage t = _openTask(taskId);
        if (block.timestamp <= t.reviewRevealDeadline) revert TooEarly(t.reviewRevealDeadline);
        Ctx memory c = _context(taskId, t);
        if (labels.length != c.r) revert BadLength(labels.length, c.r);
        if (verdicts.length != c.r * c.v) revert BadLength(verdicts.length, c.r * c.v);
        t.state = TaskState.Finalized;

        if (t.goldRevealed) {
            if (keccak256(abi.encode(goldIndices, goldLabels)) != t.goldHash) revert GoldMismatch();
            bytes memory gold = new bytes(c.n);
            for (uint256 j; j < goldIndices.length; ++j) {
                gold[goldIndices[j]] = goldLabels[j];
            }
            c.gold = gold;
            c.goldCount = goldIndices.length;
        }

        for (uint256 s; s < c.r; ++s) {
            if (c.states[s] == SeatState.Revealed) {
                bytes calldata given = labels[s];
                if (keccak256(given) != c.hashes[s]) revert LabelsMismatch(s);
                uint256 offset;
                assembly ("memory-safe") {
                    offset := given.offset
                }
                c.offsets[s] = offset;
                if (_failsGold(offset, goldIndices, goldLabels, c)) {
                    c.failed[s] = true;
                } else {
                    c.validMask |= 1 << s;
                    ++c.validCount;
                }
                if (c.v != 0) _reviewMajority(s, verdicts, c);
            }
        }

        _gradeAll(c);

        for (uint256 s; s < c.r; ++s) {
            _settleSeat(s, verdicts, c);
        }

        uint256 refund = c.refund;
        if (refund != 0) _credited[t.requester] += refund;
        emit Finalized(taskId, refund, c.burned);
        if (c.burned != 0) _burn(c.burned);
    }

    // ---------------------------------------------------------------- settlement internals

    /// @dev What finalize needs in memory, to stay within the legacy code generator's stack.
    struct Ctx {
        uint256 n;
        uint256 r;
        uint256 v;
        uint256 classCount;
        uint256 quorumBps;
        uint256 minGoldBps;
        uint256 goldCount;
        uint256 reward;
        uint256 reviewReward;
        uint256 stakePerItem;
        uint256 slashPerItem;
        uint256 refund;
        uint256 burned;
        uint256 taskId;
        uint256 validMask; // bit s: seat s revealed and did not fail gold
        uint256 validCount;
        address[] holders;
        SeatState[] states;
        bytes32[] hashes;
        bool[] failed;
        uint256[] offsets; // calldata offset of each revealed seat's labels
        bytes gold; // gold label per item (0 = not gold); empty without gold
        bytes[] majority; // per seat: review majority per item (0 none, 1 accept, 2 reject); empty if unreviewed
        uint256[] correct; // per seat, from _gradeAll
        uint256[] wrong;
    }

    function _context(uint256 taskId, Task storage t) private view returns (Ctx memory c) {
        c.taskId = taskId;
        c.n = t.itemCount;
        c.r = t.replication;
        c.v = t.reviewers;
        c.classCount = t.classCount;
        c.quorumBps = t.quorumBps;
        c.minGoldBps = t.minGoldAccuracyBps;
        c.reward = t.rewardPerLabel;
        c.reviewReward = t.reviewRewardPerItem;
        c.stakePerItem = t.stakePerItem;
        c.slashPerItem = uint256(t.stakePerItem) * t.slashBps / BPS;
        c.holders = new address[](c.r);
        c.states = new SeatState[](c.r);
        c.hashes = new bytes32[](c.r);
        c.failed = new bool[](c.r);
        c.offsets = new uint256[](c.r);
        c.majority = new bytes[](c.r);
        c.correct = new uint256[](c.r);
        c.wrong = new uint256[](c.r);
        for (uint256 s; s < c.r; ++s) {
            address h = _seatHolder[taskId][s];
            if (h != address(0)) {
                Submission storage sub = _submissions[taskId][h];
                c.holders[s] = h;
                c.states[s] = sub.state;
                c.hashes[s] = sub.hash;
            }
        }
    }

    /// @dev Whether the labels at calldata `offset` score under the minimum on the gold items.
    function _failsGold(uint256 offset, uint16[] calldata goldIndices, bytes calldata goldLabels, Ctx memory c)
        private
        pure
        returns (bool)
    {
        uint256 g = c.goldCount;
        if (g == 0) return false;
        uint256 hits;
        for (uint256 j; j < g; ++j) {
            uint256 index = goldIndices[j];
            uint256 label;
            assembly ("memory-safe") {
                label := byte(0, calldataload(add(offset, index)))
            }
            if (label == uint8(goldLabels[j])) ++hits;
        }
        return hits * BPS < c.minGoldBps * g;
    }

    /// @dev Review majority per item of the submission in seat `s`, into c.majority[s]
    /// (left empty when no reviewer of it revealed). Checks the verdict arrays' hashes.
    function _reviewMajority(uint256 s, bytes[] calldata verdicts, Ctx memory c) private view {
        uint256 v = c.v;
        uint256[] memory offsets = new uint256[](v);
        uint256 revealed;
        for (uint256 k; k < v; ++k) {
            Review storage rv = _reviews[c.taskId][s * MAX_REVIEWERS + k];
            if (rv.state == SeatState.Revealed) {
                uint256 index = s * v + k;
                bytes calldata given = verdicts[index];
                if (keccak256(given) != rv.hash) revert VerdictsMismatch(index);
                uint256 offset;
                assembly ("memory-safe") {
                    offset := given.offset
                }
                offsets[revealed++] = offset;
            }
        }
        if (revealed == 0) return;
        uint256 n = c.n;
        bytes memory majority = new bytes(n);
        assembly ("memory-safe") {
            let out := add(majority, 32)
            let offs := add(offsets, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let accepts := 0
                let rejects := 0
                for { let k := 0 } lt(k, revealed) { k := add(k, 1) } {
                    let x := byte(0, calldataload(add(mload(add(offs, shl(5, k))), i)))
                    accepts := add(accepts, eq(x, 1))
                    rejects := add(rejects, eq(x, 2))
                }
                if gt(accepts, rejects) { mstore8(add(out, i), 1) }
                if gt(rejects, accepts) { mstore8(add(out, i), 2) }
            }
        }
        c.majority[s] = majority;
    }

    /// @dev The inputs of the grading loop, in memory so the assembly reads them by offset
    /// (the legacy code generator has too few stack slots to hold them all).
    struct Grading {
        uint256 n; // 0x000
        uint256 r; // 0x020
        uint256 mask; // 0x040 valid seats
        uint256 classes; // 0x060
        uint256 need; // 0x080 quorumBps * validCount
        uint256 hasReviewers; // 0x0a0
        uint256 fast; // 0x0c0 whether agreeing words may be counted at once
        uint256 goldPtr; // 0x0e0 gold bytes data, 0 = no gold
        uint256 offs; // 0x100 data of c.offsets
        uint256 majp; // 0x120 data of a uint256[r] of majority bytes pointers (0 = none)
        uint256 curp; // 0x140 data of a uint256[r] scratch
        uint256 corp; // 0x160 data of c.correct
        uint256 wrop; // 0x180 data of c.wrong
        uint256 fastCorrect; // 0x1a0
        uint256 fastWrong; // 0x1c0
    }

    /// @dev Counts the correct and wrong labels of every valid submission into c.correct and
    /// c.wrong, by the rules in the contract's notes. The hot loop of finalize, in assembly:
    /// labels are read straight from calldata. A 32-item word in which all valid submissions
    /// agree, without gold items, and whose reviewers (where any revealed) accepted every
    /// item, is counted in one pass.
    function _gradeAll(Ctx memory c) private pure {
        if (c.validCount == 0) return;
        Grading memory g = _grading(c);
        _gradeLoop(g);
        uint256 mask = g.mask;
        if (g.fastCorrect != 0 || g.fastWrong != 0) {
            for (uint256 s; s < c.r; ++s) {
                if (mask & (1 << s) != 0) {
                    c.correct[s] += g.fastCorrect;
                    c.wrong[s] += g.fastWrong;
                }
            }
        }
    }

    function _grading(Ctx memory c) private pure returns (Grading memory g) {
        uint256 r = c.r;
        g.n = c.n;
        g.r = r;
        g.mask = c.validMask;
        g.classes = c.classCount;
        g.need = c.quorumBps * c.validCount;
        g.hasReviewers = c.v != 0 ? 1 : 0;
        uint256[] memory majPtr = new uint256[](r);
        for (uint256 s; s < r; ++s) {
            bytes memory m = c.majority[s];
            if (m.length != 0 && g.mask & (1 << s) != 0) {
                uint256 ptr;
                assembly ("memory-safe") {
                    ptr := add(m, 32)
                }
                majPtr[s] = ptr;
            }
        }
        g.fast = (c.v == 0 || c.validCount >= 2) ? 1 : 0;
        bytes memory gold = c.gold;
        uint256[] memory offsets = c.offsets;
        uint256[] memory cur = new uint256[](r);
        uint256[] memory correct = c.correct;
        uint256[] memory wrong = c.wrong;
        uint256 goldPtr;
        uint256 offs;
        uint256 majp;
        uint256 curp;
        uint256 corp;
        uint256 wrop;
        assembly ("memory-safe") {
            if mload(gold) { goldPtr := add(gold, 32) }
            offs := add(offsets, 32)
            majp := add(majPtr, 32)
            curp := add(cur, 32)
            corp := add(correct, 32)
            wrop := add(wrong, 32)
        }
        g.goldPtr = goldPtr;
        g.offs = offs;
        g.majp = majp;
        g.curp = curp;
        g.corp = corp;
        g.wrop = wrop;
    }

    function _gradeLoop(Grading memory g) private pure {
        assembly ("memory-safe") {
            let n := mload(g)
            let i := 0
            for {} lt(i, n) {} {
                // ---- a whole word on which every valid seat agrees
                if and(mload(add(g, 0xc0)), iszero(gt(add(i, 32), n))) {
                    let same := 1
                    let w := 0
                    let first := 1
                    for { let s := 0 } lt(s, mload(add(g, 0x20))) { s := add(s, 1) } {
                        if and(shr(s, mload(add(g, 0x40))), 1) {
                            let x := calldataload(add(mload(add(mload(add(g, 0x100)), shl(5, s))), i))
                            switch first
                            case 1 {
                                w := x
                                first := 0
                            }
                            default { if iszero(eq(x, w)) { same := 0 } }
                            // Reviewers, where they spoke, must have accepted every item.
                            let mp := mload(add(mload(add(g, 0x120)), shl(5, s)))
                            if mp {
                                if iszero(eq(mload(add(mp, i)), ALL_ACCEPT)) { same := 0 }
                            }
                        }
                    }
                    // ...and no item of the word may be gold.
                    if mload(add(g, 0xe0)) { if mload(add(mload(add(g, 0xe0)), i)) { same := 0 } }
                    if same {
                        let classes := mload(add(g, 0x60))
                        let good := 0
                        let bad := 0
                        for { let j := 0 } lt(j, 32) { j := add(j, 1) } {
                            let l := byte(j, w)
                            if l {
                                switch gt(l, classes)
                                case 1 { bad := add(bad, 1) }
                                default { good := add(good, 1) }
                            }
                        }
                        mstore(add(g, 0x1a0), add(mload(add(g, 0x1a0)), good))
                        mstore(add(g, 0x1c0), add(mload(add(g, 0x1c0)), bad))
                        i := add(i, 32)
                        continue
                    }
                }
                // ---- one item: gather the valid seats' labels
                let r := mload(add(g, 0x20))
                let curp := mload(add(g, 0x140))
                for { let s := 0 } lt(s, r) { s := add(s, 1) } {
                    let l := 0
                    if and(shr(s, mload(add(g, 0x40))), 1) {
                        l := byte(0, calldataload(add(mload(add(mload(add(g, 0x100)), shl(5, s))), i)))
                    }
                    mstore(add(curp, shl(5, s)), l)
                }
                // consensus k (0 = none) and its support
                let gl := 0
                if mload(add(g, 0xe0)) { gl := byte(0, mload(add(mload(add(g, 0xe0)), i))) }
                let k := gl
                let support := 0
                if iszero(gl) {
                    let best := 0
                    let bestCount := 0
                    let tie := 0
                    for { let s := 0 } lt(s, r) { s := add(s, 1) } {
                        let l := mload(add(curp, shl(5, s)))
                        if and(iszero(iszero(l)), iszero(gt(l, mload(add(g, 0x60))))) {
                            let count := 0
                            for { let s2 := 0 } lt(s2, r) { s2 := add(s2, 1) } {
                                count := add(count, eq(mload(add(curp, shl(5, s2))), l))
                            }
                            switch gt(count, bestCount)
                            case 1 {
                                best := l
                                bestCount := count
                                tie := 0
                            }
                            default { if and(eq(count, bestCount), iszero(eq(l, best))) { tie := 1 } }
                        }
                    }
                    if and(
                        and(iszero(iszero(bestCount)), iszero(tie)),
                        iszero(lt(mul(bestCount, 10000), mload(add(g, 0x80))))
                    ) {
                        k := best
                        support := bestCount
                    }
                }
                // grade each valid seat's label
                for { let s := 0 } lt(s, r) { s := add(s, 1) } {
                    if and(shr(s, mload(add(g, 0x40))), 1) {
                        let l := mload(add(curp, shl(5, s)))
                        let mp := mload(add(mload(add(g, 0x120)), shl(5, s)))
                        let m := 0
                        if mp { m := byte(0, mload(add(mp, i))) }
                        let verdict := 0 // 0 neutral, 1 correct, 2 wrong
                        switch or(eq(m, 2), gt(l, mload(add(g, 0x60))))
                        case 1 { verdict := 2 }
                        default {
                            if k {
                                switch eq(l, k)
                                case 0 { if or(l, gl) { verdict := 2 } }
                                default {
                                    verdict := 1
                                    if and(mload(add(g, 0xa0)), and(iszero(m), and(iszero(gl), lt(support, 2)))) {
                                        verdict := 0
                                    }
                                }
                            }
                        }
                        if eq(verdict, 1) {
                            let p := add(mload(add(g, 0x160)), shl(5, s))
                            mstore(p, add(mload(p), 1))
                        }
                        if eq(verdict, 2) {
                            let p := add(mload(add(g, 0x180)), shl(5, s))
                            mstore(p, add(mload(p), 1))
                        }
                    }
                }
                i := add(i, 1)
            }
        }
    }

    /// @dev Settles annotator seat `s` and its review seats.
    function _settleSeat(uint256 s, bytes[] calldata verdicts, Ctx memory c) private {
        if (c.states[s] != SeatState.Revealed) {
            _settleUnrevealed(s, c);
            return;
        }
        (uint256 correct, uint256 wrong) = c.failed[s] ? (0, c.n) : (c.correct[s], c.wrong[s]);
        _settleAccount(c.holders[s], s, type(uint256).max, correct, wrong, c.reward, c);
        if (c.v != 0) _settleReviewers(s, c.majority[s], verdicts, c);
    }

    /// @dev Empty seat: its reward slots go back. Joined or committed, never revealed: the
    /// whole stake and every reward slot are burned. Nobody can have reviewed it.
    function _settleUnrevealed(uint256 s, Ctx memory c) private {
        address holder = c.holders[s];
        uint256 n = c.n;
        if (holder == address(0)) {
            c.refund += n * c.reward;
        } else {
            _slashWhole(holder, s, type(uint256).max, n * c.reward, c);
        }
        c.refund += n * c.v * c.reviewReward;
    }

    function _settleReviewers(uint256 s, bytes memory majority, bytes[] calldata verdicts, Ctx memory c) private {
        uint256 n = c.n;
        for (uint256 k; k < c.v; ++k) {
            Review storage rv = _reviews[c.taskId][s * MAX_REVIEWERS + k];
            address reviewer = rv.reviewer;
            if (reviewer == address(0)) {
                c.refund += n * c.reviewReward;
            } else if (rv.state != SeatState.Revealed) {
                _slashWhole(reviewer, s, k, n * c.reviewReward, c);
            } else {
                bytes calldata ver = verdicts[s * c.v + k];
                uint256 correct;
                uint256 wrong;
                assembly ("memory-safe") {
                    let mp := add(majority, 32)
                    let off := ver.offset
                    for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                        let m := byte(0, mload(add(mp, i)))
                        let x := byte(0, calldataload(add(off, i)))
                        if and(iszero(iszero(m)), iszero(iszero(x))) {
                            switch eq(x, m)
                            case 1 { correct := add(correct, 1) }
                            default { wrong := add(wrong, 1) }
                        }
                    }
                }
                _settleAccount(reviewer, s, k, correct, wrong, c.reviewReward, c);
            }
        }
    }

    /// @dev Pays `correct` items, slashes `wrong` ones, refunds the rest; unlocks the stake.
    function _settleAccount(
        address account,
        uint256 seat,
        uint256 reviewSlot,
        uint256 correct,
        uint256 wrong,
        uint256 rewardPerItem,
        Ctx memory c
    ) private {
        uint256 lock = c.stakePerItem * c.n;
        uint256 reward = correct * rewardPerItem;
        uint256 slashed = wrong * c.slashPerItem;
        uint256 slots = wrong * rewardPerItem;
        c.refund += (c.n - correct - wrong) * rewardPerItem;
        Account storage a = _accounts[account];
        a.locked -= uint128(lock);
        if (slashed != 0) a.staked -= uint128(slashed);
        if (reward != 0) _credited[account] += reward;
        emit Settled(c.taskId, account, seat, reviewSlot, correct, wrong, reward, slashed);
        _recordBurns(c.taskId, account, slashed, slots, c);
    }

    function _slashWhole(address account, uint256 seat, uint256 reviewSlot, uint256 slots, Ctx memory c) private {
        uint256 lock = c.stakePerItem * c.n;
        Account storage a = _accounts[account];
        a.locked -= uint128(lock);
        a.staked -= uint128(lock);
        emit Settled(c.taskId, account, seat, reviewSlot, 0, c.n, 0, lock);
        _recordBurns(c.taskId, account, lock, slots, c);
    }

    function _recordBurns(uint256 taskId, address account, uint256 slashed, uint256 slots, Ctx memory c) private {
        if (slashed != 0) emit Burned(taskId, account, BurnReason.Slash, slashed);
        if (slots != 0) emit Burned(taskId, account, BurnReason.RewardSlot, slots);
        c.burned += slashed + slots;
    }
}
