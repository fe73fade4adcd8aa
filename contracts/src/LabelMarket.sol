// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {LabelMarketBase} from "./LabelMarketBase.sol";
import {LabelMarketSettlement} from "./LabelMarketSettlement.sol";

/// @title Tally's labelling market
/// @notice Stake, seats, escrow, commit-reveal consensus, reference (gold) items,
/// review, slashing and private datasets, as described in DESIGN.md ("The protocol").
///
/// Life of a task, with its four deadlines (all inclusive: "until D" means
/// `block.timestamp <= D`, "after D" means `block.timestamp > D`):
/// - `createTask` escrows the whole budget; `cancelTask` before the first join refunds it.
/// - until `commitDeadline`: `join` (locks `stakePerItem * itemCount`), `leave`, `commit`.
/// - after `commitDeadline`, until `revealDeadline`: `reveal`.
/// - after a submission is revealed, until `reviewCommitDeadline`: `joinReview`, `commitReview`.
/// - after `reviewCommitDeadline`, until `reviewRevealDeadline`: `revealReview`.
/// - after `revealDeadline`, until `reviewRevealDeadline`: `revealGold`.
/// - after `reviewRevealDeadline` (the last deadline): `finalize` by anyone, once.
/// - at any time: `claim` of credited rewards and refunds; `unstake` of free stake.
///
/// Bounds (they keep `finalize` of the largest task, 256 items x 7 seats x 3
/// reviewers, far under a 30M block gas limit; see LabelMarketGasTest):
/// items <= 256, 2 <= classes <= 255, 1 <= R <= 7, V <= 3.
///
/// Hashes and encodings a client must reproduce:
/// - labels: `bytes`, one byte per item, 0 = skipped, 1..classCount a class.
/// - commitment = keccak256(abi.encode(uint256 chainid, address market, uint256 taskId,
///   address annotator, bytes32 keccak256(labels), bytes32 keccak256(payload), bytes32 salt)).
/// - verdicts: `bytes`, one byte per item, 1 = accept, 2 = reject, 0 = abstain.
/// - review commitment = keccak256(abi.encode(uint256 chainid, address market, uint256 taskId,
///   uint256 seat, address reviewer, bytes32 keccak256(verdicts), bytes32 salt)).
/// - gold commitment = keccak256(abi.encode(bytes32 manifestHash, uint16[] goldIndices,
///   bytes goldLabels, bytes32 salt)), indices strictly increasing, one label byte per index.
/// - a private task's public key: the 64-byte uncompressed secp256k1 key without its 0x04
///   prefix, whose keccak256 ends in the sender's address.
///
/// Settlement rules (finalize):
/// - a submission whose accuracy on the revealed gold items is below `minGoldAccuracyBps`
///   fails: all its labels are wrong, and it is left out of the plurality.
/// - consensus of an item: its gold label if it is a gold item; else the unique plurality
///   label of the non-failed revealed submissions when the plurality count times 10,000 is
///   at least `quorumBps` times the number of those submissions (skips count in the
///   denominator); else none.
/// - review majority of an item of a submission: accept or reject when strictly more of the
///   revealed reviewers said so, else none.
/// - a label is wrong when its submission failed gold, or the review majority rejected it, or
///   it differs from an existing consensus (a skipped label, 0, differs from it only on gold
///   items). It is correct when it equals the consensus and is not rejected, except that when
///   the task has reviewers, no review majority exists and the label was its own only
///   support (not gold), it is neutral. Everything else is neutral.
/// - correct: `rewardPerLabel` credited. wrong: `stakePerItem * slashBps / 10,000` of the stake
///   burned, and the label's reward slot burned. neutral: reward slot refunded to the requester.
/// - a joined or committed seat that was not revealed: its whole locked stake and all its
///   reward slots burned. An empty seat: its reward slots refunded.
/// - a reviewer's verdict is correct when it equals the review majority (paid
///   `reviewRewardPerItem`), wrong when it differs (slashed as above, slot burned), neutral when
///   it abstains or no majority exists (slot refunded). A lone reviewer is its own majority.
///   Unrevealed review seats are slashed whole; review seats nobody took are refunded.
///
/// A requester may not join or review its own task (`RequesterCannotJoin`). This is not a
/// defence against Sybil accounts, which nothing on chain can tell apart; the economics are:
/// every reward slot of a wrong or unrevealed label is burned, never refunded, so neither a
/// lying gold set nor seats of the requester's own make the requester any richer.
///
/// No function lets anyone (there is no owner) move another account's tokens; there is no proxy.
///
/// The code is in three layers: LabelMarketBase.sol (bounds, types, storage, events,
/// errors), LabelMarketSettlement.sol (`finalize`) and this file (everything else).
contract LabelMarket is LabelMarketSettlement {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- construction

    /// @param token_ The ERC-20 of stakes, budgets and rewards (no fee on transfer).
    constructor(IERC20 token_) LabelMarketBase(token_) {}

    // ---------------------------------------------------------------- staking

    /// @notice Deposits `amount` (approved beforehand) as free stake.
    function stake(uint256 amount) external nonReentrant {
        _stake(amount);
    }

    /// @notice Deposits `amount` with an EIP-2612 permit for this market signed by the sender:
    /// a first deposit in one signature and one transaction. A permit already used (say, by a
    /// front-runner) is ignored when the allowance is there anyway.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _stake(amount);
    }

    /// @notice Withdraws `amount` of free stake (stake not locked by a seat).
    function unstake(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Account storage a = _accounts[msg.sender];
        uint256 free = a.staked - a.locked;
        if (amount > free) revert InsufficientFreeStake(free, amount);
        a.staked -= uint128(amount);
        emit Unstaked(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- tasks

    /// @notice Creates a task and pulls its whole budget into escrow:
    /// itemCount * R * rewardPerLabel + itemCount * R * V * reviewRewardPerItem (see `budgetFor`).
    /// @dev A struct parameter rather than 18 flat ones (which would not compile without
    /// via-IR). All its members are static, so the encoding is the same as flat arguments.
    /// @return taskId The new task's id (1, 2, ...).
    function createTask(TaskParams calldata p, string calldata manifestUri)
        external
        nonReentrant
        returns (uint256 taskId)
    {
        _validate(p);
        uint256 budget = budgetFor(p);
        taskId = ++taskCount;
        Task storage t = _tasks[taskId];
        t.requester = msg.sender;
        t.commitDeadline = uint64(p.commitDeadline);
        t.state = TaskState.Open;
        t.keyServer = p.keyServer;
        t.revealDeadline = uint64(p.revealDeadline);
        t.itemCount = uint16(p.itemCount);
        t.classCount = uint8(p.classCount);
        t.replication = uint8(p.replication);
        t.reviewCommitDeadline = uint64(p.reviewCommitDeadline);
        t.reviewRevealDeadline = uint64(p.reviewRevealDeadline);
        t.reviewers = uint8(p.reviewers);
        t.slashBps = uint16(p.slashBps);
        t.quorumBps = uint16(p.quorumBps);
        t.minGoldAccuracyBps = uint16(p.minGoldAccuracyBps);
        t.rewardPerLabel = uint128(p.rewardPerLabel);
        t.reviewRewardPerItem = uint128(p.reviewRewardPerItem);
        t.stakePerItem = uint128(p.stakePerItem);
        t.leaveFee = uint128(p.leaveFee);
        t.manifestHash = p.manifestHash;
        t.goldCommitment = p.goldCommitment;
        emit TaskCreated(taskId, msg.sender, p, manifestUri, budget);
        _pull(budget);
    }

    /// @notice Cancels a task nobody has joined yet; the whole budget is credited back.
    function cancelTask(uint256 taskId) external nonReentrant {
        Task storage t = _openTask(taskId);
        if (msg.sender != t.requester) revert NotRequester();
        if (t.everJoined) revert TaskHasJoins();
        t.state = TaskState.Cancelled;
        uint256 refund = _budget(t);
        _credited[msg.sender] += refund;
        emit TaskCancelled(taskId, msg.sender, refund);
    }

    // ---------------------------------------------------------------- annotators

    /// @notice Takes one of the task's R seats and locks `stakePerItem * itemCount` of free stake.
    /// @param publicKey Empty on a public task; on a private one the sender's 64-byte public key.
    /// @return seat The seat taken (0-based).
    function join(uint256 taskId, bytes calldata publicKey) external returns (uint256 seat) {
        Task storage t = _openTask(taskId);
        if (block.timestamp > t.commitDeadline) revert TooLate(t.commitDeadline);
        if (msg.sender == t.requester) revert RequesterCannotJoin();
        Submission storage sub = _submissions[taskId][msg.sender];
        if (sub.seatPlusOne != 0) revert AlreadyJoined();
        uint256 r = t.replication;
        if (t.seatsTaken >= r) revert NoSeatLeft();
        _checkPublicKey(t.keyServer, publicKey);
        _lock(msg.sender, uint256(t.stakePerItem) * t.itemCount);
        mapping(uint256 => address) storage holders = _seatHolder[taskId];
        while (holders[seat] != address(0)) {
            ++seat;
        }
        holders[seat] = msg.sender;
        sub.seatPlusOne = uint8(seat + 1);
        sub.state = SeatState.Joined;
        t.seatsTaken += 1;
        if (!t.everJoined) t.everJoined = true;
        emit Joined(taskId, msg.sender, seat, publicKey);
    }

    /// @notice Gives a seat back before committing. The leave fee is burned from the stake,
    /// except on a private task whose key was not yet granted to the sender.
    function leave(uint256 taskId) external nonReentrant {
        Task storage t = _openTask(taskId);
        if (block.timestamp > t.commitDeadline) revert TooLate(t.commitDeadline);
        Submission storage sub = _submissions[taskId][msg.sender];
        if (sub.seatPlusOne == 0) revert NotSeated();
        if (sub.state != SeatState.Joined) revert WrongState(sub.state);
        uint256 seat = sub.seatPlusOne - 1;
        uint256 fee = (t.keyServer != address(0) && !sub.keyGranted) ? 0 : t.leaveFee;
        Account storage a = _accounts[msg.sender];
        a.locked -= uint128(uint256(t.stakePerItem) * t.itemCount);
        a.staked -= uint128(fee);
        delete _submissions[taskId][msg.sender];
        delete _seatHolder[taskId][seat];
        t.seatsTaken -= 1;
        emit Left(taskId, msg.sender, seat, fee);
        if (fee != 0) {
            emit Burned(taskId, msg.sender, BurnReason.LeaveFee, fee);
            _burn(fee);
        }
    }

    /// @notice Commits to a submission (see the contract's notes for the commitment).
    function commit(uint256 taskId, bytes32 commitment) external {
        Task storage t = _openTask(taskId);
        if (block.timestamp > t.commitDeadline) revert TooLate(t.commitDeadline);
        Submission storage sub = _submissions[taskId][msg.sender];
        if (sub.seatPlusOne == 0) revert NotSeated();
        if (sub.state != SeatState.Joined) revert WrongState(sub.state);
        if (commitment == bytes32(0)) revert ZeroCommitment();
        sub.state = SeatState.Committed;
        sub.hash = commitment;
        emit Committed(taskId, msg.sender, sub.seatPlusOne - 1, commitment);
    }

    /// @notice Reveals a committed submission. Stores keccak256(labels) and emits the labels
    /// and payload. Labels out of 0..classCount are not refused here (the commitment binds
    /// them); they count as wrong at settlement.
    function reveal(uint256 taskId, bytes calldata labels, bytes calldata payload, bytes32 salt) external {
        Task storage t = _openTask(taskId);
        if (block.timestamp <= t.commitDeadline) revert TooEarly(t.commitDeadline);
        if (block.timestamp > t.revealDeadline) revert TooLate(t.revealDeadline);
        Submission storage sub = _submissions[taskId][msg.sender];
        if (sub.seatPlusOne == 0) revert NotSeated();
        if (sub.state != SeatState.Committed) revert WrongState(sub.state);
        if (labels.length != t.itemCount) revert BadLength(labels.length, t.itemCount);
        bytes32 labelsHash = keccak256(labels);
        if (commitmentOf(taskId, msg.sender, labelsHash, keccak256(payload), salt) != sub.hash) {
            revert CommitmentMismatch();
        }
        sub.state = SeatState.Revealed;
        sub.hash = labelsHash;
        emit Revealed(taskId, msg.sender, sub.seatPlusOne - 1, labels, payload);
    }

    // ---------------------------------------------------------------- gold

    /// @notice Reveals the gold items, after the reveal deadline and until the last deadline.
    function revealGold(uint256 taskId, uint16[] calldata goldIndices, bytes calldata goldLabels, bytes32 salt)
        external
    {
        Task storage t = _openTask(taskId);
        if (msg.sender != t.requester) revert NotRequester();
        if (t.goldCommitment == bytes32(0)) revert NoGold();
        if (t.goldRevealed) revert GoldAlreadyRevealed();
        if (block.timestamp <= t.revealDeadline) revert TooEarly(t.revealDeadline);
        if (block.timestamp > t.reviewRevealDeadline) revert TooLate(t.reviewRevealDeadline);
        if (goldCommitmentOf(t.manifestHash, goldIndices, goldLabels, salt) != t.goldCommitment) {
            revert GoldMismatch();
        }
        uint256 n = goldIndices.length;
        if (n == 0 || goldLabels.length != n) revert InvalidGold();
        uint256 previous;
        for (uint256 j; j < n; ++j) {
            uint256 index = goldIndices[j];
            uint256 label = uint8(goldLabels[j]);
            if ((j != 0 && index <= previous) || index >= t.itemCount || label == 0 || label > t.classCount) {
                revert InvalidGold();
            }
            previous = index;
        }
        t.goldRevealed = true;
        t.goldHash = keccak256(abi.encode(goldIndices, goldLabels));
        emit GoldRevealed(taskId, goldIndices, goldLabels);
    }

    // ---------------------------------------------------------------- private datasets

    /// @notice The key server hands `account` the task key, sealed to its public key off chain.
    /// `account` must hold an annotator seat or a review seat of the task.
    function grantKey(uint256 taskId, address account, bytes calldata sealedKey) external {
        Task storage t = _openTask(taskId);
        if (t.keyServer == address(0)) revert NotPrivate();
        if (msg.sender != t.keyServer) revert NotKeyServer();
        Submission storage sub = _submissions[taskId][account];
        if (sub.seatPlusOne != 0) {
            sub.keyGranted = true;
        } else if (_reviewSeatsHeld[taskId][account] == 0) {
            revert NotSeated();
        }
        emit KeyGranted(taskId, account, sealedKey);
    }

    // ---------------------------------------------------------------- reviewers

    /// @notice Takes one of the V review seats of the revealed submission in `seat`, locking
    /// `stakePerItem * itemCount`. Annotators of the task and its requester may not review.
    /// @return reviewSlot The review seat taken, 0..V-1.
    function joinReview(uint256 taskId, uint256 seat, bytes calldata publicKey) external returns (uint256 reviewSlot) {
        Task storage t = _openTask(taskId);
        uint256 v = t.reviewers;
        if (v == 0) revert NoReviews();
        if (seat >= t.replication) revert InvalidSeat(seat);
        if (block.timestamp > t.reviewCommitDeadline) revert TooLate(t.reviewCommitDeadline);
        address annotator = _seatHolder[taskId][seat];
        if (annotator == address(0) || _submissions[taskId][annotator].state != SeatState.Revealed) {
            revert SubmissionNotRevealed(seat);
        }
        if (msg.sender == t.requester) revert RequesterCannotJoin();
        if (_submissions[taskId][msg.sender].seatPlusOne != 0) revert ReviewerIsAnnotator();
        uint256 held = _reviewSeatsHeld[taskId][msg.sender];
        if (held & (1 << seat) != 0) revert AlreadyJoined();
        _checkPublicKey(t.keyServer, publicKey);
        uint256 base = seat * MAX_REVIEWERS;
        while (reviewSlot < v && _reviews[taskId][base + reviewSlot].reviewer != address(0)) {
            ++reviewSlot;
        }
        if (reviewSlot == v) revert NoSeatLeft();
        _lock(msg.sender, uint256(t.stakePerItem) * t.itemCount);
        Review storage rv = _reviews[taskId][base + reviewSlot];
        rv.reviewer = msg.sender;
        rv.state = SeatState.Joined;
        _reviewSeatsHeld[taskId][msg.sender] = held | (1 << seat);
        emit ReviewJoined(taskId, msg.sender, seat, reviewSlot, publicKey);
    }

    /// @notice Commits the sender's verdicts on the submission in `seat`.
    function commitReview(uint256 taskId, uint256 seat, bytes32 commitment) external {
        Task storage t = _openTask(taskId);
        if (block.timestamp > t.reviewCommitDeadline) revert TooLate(t.reviewCommitDeadline);
        (Review storage rv, uint256 reviewSlot) = _reviewOf(taskId, t, seat, msg.sender);
        if (rv.state != SeatState.Joined) revert WrongState(rv.state);
        if (commitment == bytes32(0)) revert ZeroCommitment();
        rv.state = SeatState.Committed;
        rv.hash = commitment;
        emit ReviewCommitted(taskId, msg.sender, seat, reviewSlot, commitment);
    }

    /// @notice Reveals the sender's verdicts (one byte per item) on the submission in `seat`.
    function revealReview(uint256 taskId, uint256 seat, bytes calldata verdicts, bytes32 salt) external {
        Task storage t = _openTask(taskId);
        if (block.timestamp <= t.reviewCommitDeadline) revert TooEarly(t.reviewCommitDeadline);
        if (block.timestamp > t.reviewRevealDeadline) revert TooLate(t.reviewRevealDeadline);
        (Review storage rv, uint256 reviewSlot) = _reviewOf(taskId, t, seat, msg.sender);
        if (rv.state != SeatState.Committed) revert WrongState(rv.state);
        if (verdicts.length != t.itemCount) revert BadLength(verdicts.length, t.itemCount);
        bytes32 verdictsHash = keccak256(verdicts);
        if (reviewCommitmentOf(taskId, seat, msg.sender, verdictsHash, salt) != rv.hash) {
            revert CommitmentMismatch();
        }
        rv.state = SeatState.Revealed;
        rv.hash = verdictsHash;
        emit ReviewRevealed(taskId, msg.sender, seat, reviewSlot, verdicts);
    }

    // ---------------------------------------------------------------- claim

    // (`finalize`, which credits rewards and refunds, is in LabelMarketSettlement.)

    /// @notice Pays out everything credited to the sender (rewards and refunds).
    function claim() external nonReentrant returns (uint256 amount) {
        amount = _credited[msg.sender];
        if (amount == 0) revert NothingToClaim();
        _credited[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- views

    /// @notice Total, locked and free stake of `account`.
    function stakeOf(address account) external view returns (uint256 total, uint256 locked, uint256 free) {
        Account storage a = _accounts[account];
        return (a.staked, a.locked, a.staked - a.locked);
    }

    function totalStake(address account) external view returns (uint256) {
        return _accounts[account].staked;
    }

    function lockedStake(address account) external view returns (uint256) {
        return _accounts[account].locked;
    }

    function freeStake(address account) external view returns (uint256) {
        Account storage a = _accounts[account];
        return a.staked - a.locked;
    }

    /// @notice Tokens credited to `account` and not yet claimed.
    function credited(address account) external view returns (uint256) {
        return _credited[account];
    }

    /// @notice What `account` has at stake in an open task: the stake its seats lock, and
    /// the most it can earn there (every label and verdict correct). Zero once settled.
    function pendingOf(uint256 taskId, address account) external view returns (uint256 locked, uint256 maxReward) {
        Task storage t = _tasks[taskId];
        if (t.state != TaskState.Open) return (0, 0);
        uint256 lock = uint256(t.stakePerItem) * t.itemCount;
        if (_submissions[taskId][account].seatPlusOne != 0) {
            locked = lock;
            maxReward = uint256(t.rewardPerLabel) * t.itemCount;
        }
        uint256 held = _reviewSeatsHeld[taskId][account];
        for (; held != 0; held &= held - 1) {
            locked += lock;
            maxReward += uint256(t.reviewRewardPerItem) * t.itemCount;
        }
    }

    function getTask(uint256 taskId) external view returns (TaskView memory v) {
        Task storage t = _tasks[taskId];
        if (t.state == TaskState.None) revert UnknownTask(taskId);
        v.params = TaskParams({
            manifestHash: t.manifestHash,
            itemCount: t.itemCount,
            classCount: t.classCount,
            replication: t.replication,
            reviewers: t.reviewers,
            rewardPerLabel: t.rewardPerLabel,
            reviewRewardPerItem: t.reviewRewardPerItem,
            stakePerItem: t.stakePerItem,
            slashBps: t.slashBps,
            quorumBps: t.quorumBps,
            leaveFee: t.leaveFee,
            goldCommitment: t.goldCommitment,
            minGoldAccuracyBps: t.minGoldAccuracyBps,
            keyServer: t.keyServer,
            commitDeadline: t.commitDeadline,
            revealDeadline: t.revealDeadline,
            reviewCommitDeadline: t.reviewCommitDeadline,
            reviewRevealDeadline: t.reviewRevealDeadline
        });
        v.requester = t.requester;
        v.state = t.state;
        v.seatsTaken = t.seatsTaken;
        v.everJoined = t.everJoined;
        v.goldRevealed = t.goldRevealed;
        v.escrow = t.state == TaskState.Open ? _budget(t) : 0;
    }

    /// @notice The gold hash stored by `revealGold`, keccak256(abi.encode(goldIndices, goldLabels)).
    function goldHashOf(uint256 taskId) external view returns (bytes32) {
        return _tasks[taskId].goldHash;
    }

    /// @notice Seat `seat` of a task: holder (0 when empty), state, hash (commitment, or
    /// keccak256(labels) once revealed) and whether the key server granted the holder a key.
    function getSeat(uint256 taskId, uint256 seat)
        external
        view
        returns (address holder, SeatState state, bytes32 hash, bool keyGranted)
    {
        holder = _seatHolder[taskId][seat];
        if (holder != address(0)) {
            Submission storage sub = _submissions[taskId][holder];
            return (holder, sub.state, sub.hash, sub.keyGranted);
        }
    }

    /// @notice The submission of `account` in a task: whether it holds a seat, which, its
    /// state, hash and key grant.
    function getSubmission(uint256 taskId, address account)
        external
        view
        returns (bool seated, uint256 seat, SeatState state, bytes32 hash, bool keyGranted)
    {
        Submission storage sub = _submissions[taskId][account];
        if (sub.seatPlusOne == 0) return (false, 0, SeatState.Empty, bytes32(0), false);
        return (true, sub.seatPlusOne - 1, sub.state, sub.hash, sub.keyGranted);
    }

    /// @notice Review seat `reviewSlot` (0..V-1) of the submission in `seat`.
    function getReview(uint256 taskId, uint256 seat, uint256 reviewSlot)
        external
        view
        returns (address reviewer, SeatState state, bytes32 hash)
    {
        if (reviewSlot >= MAX_REVIEWERS) return (address(0), SeatState.Empty, bytes32(0));
        Review storage rv = _reviews[taskId][seat * MAX_REVIEWERS + reviewSlot];
        return (rv.reviewer, rv.state, rv.hash);
    }

    /// @notice Bit s set when `account` holds a review seat on the submission in seat s.
    function reviewSeatsOf(uint256 taskId, address account) external view returns (uint256) {
        return _reviewSeatsHeld[taskId][account];
    }

    /// @notice The budget `createTask` escrows for these parameters.
    function budgetFor(TaskParams calldata p) public pure returns (uint256) {
        uint256 labelSlots = p.itemCount * p.replication;
        return labelSlots * p.rewardPerLabel + labelSlots * p.reviewers * p.reviewRewardPerItem;
    }

    /// @notice An annotator's commitment, as `reveal` checks it.
    function commitmentOf(uint256 taskId, address annotator, bytes32 labelsHash, bytes32 payloadHash, bytes32 salt)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(this), taskId, annotator, labelsHash, payloadHash, salt));
    }

    /// @notice A reviewer's commitment, as `revealReview` checks it.
    function reviewCommitmentOf(uint256 taskId, uint256 seat, address reviewer, bytes32 verdictsHash, bytes32 salt)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(this), taskId, seat, reviewer, verdictsHash, salt));
    }

    /// @notice A gold commitment, as `revealGold` checks it.
    function goldCommitmentOf(
        bytes32 manifestHash,
        uint16[] calldata goldIndices,
        bytes calldata goldLabels,
        bytes32 salt
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(manifestHash, goldIndices, goldLabels, salt));
    }

    // ---------------------------------------------------------------- internals

    function _reviewOf(uint256 taskId, Task storage t, uint256 seat, address reviewer)
        private
        view
        returns (Review storage rv, uint256 reviewSlot)
    {
        if (seat < t.replication && _reviewSeatsHeld[taskId][reviewer] & (1 << seat) != 0) {
            uint256 base = seat * MAX_REVIEWERS;
            for (; reviewSlot < MAX_REVIEWERS; ++reviewSlot) {
                rv = _reviews[taskId][base + reviewSlot];
                if (rv.reviewer == reviewer) return (rv, reviewSlot);
            }
        }
        revert NotSeated();
    }

    function _budget(Task storage t) private view returns (uint256) {
        uint256 labelSlots = uint256(t.itemCount) * t.replication;
        return labelSlots * t.rewardPerLabel + labelSlots * t.reviewers * t.reviewRewardPerItem;
    }

    function _validate(TaskParams calldata p) private view {
        if (p.manifestHash == bytes32(0)) revert InvalidManifest();
        if (p.itemCount == 0 || p.itemCount > MAX_ITEMS) revert InvalidItemCount(p.itemCount);
        if (p.classCount < 2 || p.classCount > MAX_CLASSES) revert InvalidClassCount(p.classCount);
        if (p.replication == 0 || p.replication > MAX_REPLICATION) revert InvalidReplication(p.replication);
        if (p.reviewers > MAX_REVIEWERS) revert InvalidReviewerCount(p.reviewers);
        if (p.replication < 2 && p.reviewers == 0 && p.goldCommitment == bytes32(0)) revert UnverifiableTask();
        if (p.rewardPerLabel == 0 || p.rewardPerLabel > type(uint128).max) revert InvalidReward();
        if ((p.reviewers == 0) != (p.reviewRewardPerItem == 0) || p.reviewRewardPerItem > type(uint128).max) {
            revert InvalidReward();
        }
        if (p.stakePerItem == 0 || p.stakePerItem > type(uint128).max / MAX_ITEMS) revert InvalidStake();
        if (p.slashBps > BPS) revert InvalidBps(p.slashBps);
        if (p.quorumBps == 0 || p.quorumBps > BPS) revert InvalidBps(p.quorumBps);
        if (p.minGoldAccuracyBps > BPS) revert InvalidBps(p.minGoldAccuracyBps);
        if (p.goldCommitment == bytes32(0) && p.minGoldAccuracyBps != 0) revert InvalidGold();
        uint256 lock = p.stakePerItem * p.itemCount;
        if (p.leaveFee > lock) revert LeaveFeeTooHigh(p.leaveFee, lock);
        if (
            p.commitDeadline <= block.timestamp || p.revealDeadline <= p.commitDeadline
                || p.reviewCommitDeadline <= p.revealDeadline || p.reviewRevealDeadline <= p.reviewCommitDeadline
                || p.reviewRevealDeadline > type(uint64).max
        ) revert InvalidDeadlines();
    }

    function _checkPublicKey(address keyServer, bytes calldata publicKey) private view {
        if (keyServer == address(0)) {
            if (publicKey.length != 0) revert BadPublicKey();
        } else if (
            publicKey.length != PUBLIC_KEY_LENGTH || address(uint160(uint256(keccak256(publicKey)))) != msg.sender
        ) {
            revert BadPublicKey();
        }
    }

    function _lock(address account, uint256 amount) private {
        Account storage a = _accounts[account];
        uint256 free = a.staked - a.locked;
        if (amount > free) revert InsufficientFreeStake(free, amount);
        a.locked += uint128(amount);
    }

    function _stake(uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        Account storage a = _accounts[msg.sender];
        if (uint256(a.staked) + amount > type(uint128).max) revert AmountTooLarge();
        a.staked += uint128(amount);
        emit Staked(msg.sender, amount);
        _pull(amount);
    }

    /// @dev Pulls `amount` from the sender and refuses tokens that deliver less (fee on transfer).
    function _pull(uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert TokenTransferMismatch(amount, received);
    }
}
