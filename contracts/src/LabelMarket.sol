// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @dev The one function of ERC20Burnable the market calls (when the token has it).
interface IERC20Burn {
    function burn(uint256 amount) external;
}

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
contract LabelMarket is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- bounds

    uint256 public constant MAX_ITEMS = 256;
    uint256 public constant MAX_CLASSES = 255;
    uint256 public constant MAX_REPLICATION = 7;
    uint256 public constant MAX_REVIEWERS = 3;
    uint256 public constant BPS = 10_000;
    uint256 public constant PUBLIC_KEY_LENGTH = 64;
    /// @notice Where burned tokens go when the token has no `burn(uint256)`.
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;

    uint8 public constant VERDICT_ACCEPT = 1;
    uint8 public constant VERDICT_REJECT = 2;
    /// @dev 32 accept verdicts in a row, as one word.
    uint256 private constant ALL_ACCEPT = 0x0101010101010101010101010101010101010101010101010101010101010101;

    // ---------------------------------------------------------------- types

    /// @notice A task's states: 0 none, 1 open, 2 cancelled, 3 finalized.
    enum TaskState {
        None,
        Open,
        Cancelled,
        Finalized
    }

    /// @notice A seat's (annotator's or reviewer's) states: 0 empty, 1 joined, 2 committed, 3 revealed.
    enum SeatState {
        Empty,
        Joined,
        Committed,
        Revealed
    }

    /// @notice Why tokens were burned: 0 leave fee, 1 slashed stake, 2 reward slot of a wrong label.
    enum BurnReason {
        LeaveFee,
        Slash,
        RewardSlot
    }

    /// @notice The parameters of `createTask`.
    /// @dev Every member is a static 32-byte word, so a client encodes this struct exactly
    /// like 18 flat arguments, in this order (a static tuple is inlined in the ABI head).
    /// Amounts are in the token's smallest unit and must fit in 128 bits; counts and bps
    /// are bounded as documented on the contract; deadlines are unix seconds.
    struct TaskParams {
        bytes32 manifestHash; // keccak256 of the manifest; not zero
        uint256 itemCount; // 1..256
        uint256 classCount; // 2..255
        uint256 replication; // R, annotator seats, 1..7
        uint256 reviewers; // V, review seats per submission, 0..3
        uint256 rewardPerLabel; // paid per correct label; > 0
        uint256 reviewRewardPerItem; // paid per correct verdict; > 0 iff V > 0
        uint256 stakePerItem; // join locks stakePerItem * itemCount; > 0
        uint256 slashBps; // share of stakePerItem burned per wrong label, 0..10,000
        uint256 quorumBps; // 1..10,000
        uint256 leaveFee; // burned on leave, <= stakePerItem * itemCount
        bytes32 goldCommitment; // 0 = no gold
        uint256 minGoldAccuracyBps; // 0..10,000; 0 when there is no gold
        address keyServer; // 0 = public task; else the account that grants keys
        uint256 commitDeadline; // > now
        uint256 revealDeadline; // > commitDeadline
        uint256 reviewCommitDeadline; // > revealDeadline (with V = 0 it only bounds revealGold)
        uint256 reviewRevealDeadline; // > reviewCommitDeadline; the last deadline
    }

    /// @notice A task as `getTask` returns it: the parameters, then the state.
    struct TaskView {
        TaskParams params;
        address requester;
        TaskState state;
        uint256 seatsTaken;
        bool everJoined;
        bool goldRevealed;
        uint256 escrow; // budget while open, 0 once cancelled or finalized
    }

    struct Task {
        // slot 0
        address requester;
        uint64 commitDeadline;
        TaskState state;
        uint8 seatsTaken;
        bool everJoined;
        bool goldRevealed;
        // slot 1
        address keyServer;
        uint64 revealDeadline;
        uint16 itemCount;
        uint8 classCount;
        uint8 replication;
        // slot 2
        uint64 reviewCommitDeadline;
        uint64 reviewRevealDeadline;
        uint8 reviewers;
        uint16 slashBps;
        uint16 quorumBps;
        uint16 minGoldAccuracyBps;
        // slot 3
        uint128 rewardPerLabel;
        uint128 reviewRewardPerItem;
        // slot 4
        uint128 stakePerItem;
        uint128 leaveFee;
        // slots 5..7
        bytes32 manifestHash;
        bytes32 goldCommitment;
        bytes32 goldHash; // keccak256(abi.encode(goldIndices, goldLabels)) once revealed
    }

    struct Submission {
        uint8 seatPlusOne; // 0 = no seat
        SeatState state;
        bool keyGranted;
        bytes32 hash; // commitment, then keccak256(labels) once revealed
    }

    struct Review {
        address reviewer;
        SeatState state;
        bytes32 hash; // commitment, then keccak256(verdicts) once revealed
    }

    struct Account {
        uint128 staked;
        uint128 locked;
    }

    // ---------------------------------------------------------------- storage

    /// @notice The ERC-20 everything is paid in, fixed at deployment.
    IERC20 public immutable token;
    /// @notice Number of tasks created; task ids run from 1 to taskCount.
    uint256 public taskCount;
    /// @notice Tokens burned by the market so far (leave fees, slashes, reward slots).
    uint256 public totalBurned;

    mapping(uint256 taskId => Task) private _tasks;
    mapping(uint256 taskId => mapping(uint256 seat => address)) private _seatHolder;
    mapping(uint256 taskId => mapping(address account => Submission)) private _submissions;
    mapping(uint256 taskId => mapping(uint256 reviewSlot => Review)) private _reviews;
    mapping(uint256 taskId => mapping(address account => uint256)) private _reviewSeatsHeld;
    mapping(address account => Account) private _accounts;
    mapping(address account => uint256) private _credited;

    // ---------------------------------------------------------------- events

    event Staked(address indexed account, uint256 amount);
    event Unstaked(address indexed account, uint256 amount);
    event TaskCreated(
        uint256 indexed taskId, address indexed requester, TaskParams params, string manifestUri, uint256 budget
    );
    event TaskCancelled(uint256 indexed taskId, address indexed requester, uint256 refund);
    event Joined(uint256 indexed taskId, address indexed account, uint256 seat, bytes publicKey);
    event Left(uint256 indexed taskId, address indexed account, uint256 seat, uint256 fee);
    event Committed(uint256 indexed taskId, address indexed account, uint256 seat, bytes32 commitment);
    event Revealed(uint256 indexed taskId, address indexed account, uint256 seat, bytes labels, bytes payload);
    event GoldRevealed(uint256 indexed taskId, uint16[] goldIndices, bytes goldLabels);
    event KeyGranted(uint256 indexed taskId, address indexed account, bytes sealedKey);
    event ReviewJoined(
        uint256 indexed taskId, address indexed reviewer, uint256 seat, uint256 reviewSlot, bytes publicKey
    );
    event ReviewCommitted(
        uint256 indexed taskId, address indexed reviewer, uint256 seat, uint256 reviewSlot, bytes32 commitment
    );
    event ReviewRevealed(
        uint256 indexed taskId, address indexed reviewer, uint256 seat, uint256 reviewSlot, bytes verdicts
    );
    /// @notice One per annotator seat (reviewSlot = type(uint256).max) and per taken review
    /// seat at settlement. `reward` was credited, `slashed` burned from the account's stake.
    event Settled(
        uint256 indexed taskId,
        address indexed account,
        uint256 seat,
        uint256 reviewSlot,
        uint256 correct,
        uint256 wrong,
        uint256 reward,
        uint256 slashed
    );
    /// @notice Every burn, by account and reason; the amounts add up to `totalBurned`.
    event Burned(uint256 indexed taskId, address indexed account, BurnReason reason, uint256 amount);
    event Finalized(uint256 indexed taskId, uint256 refund, uint256 burned);
    event Claimed(address indexed account, uint256 amount);

    // ---------------------------------------------------------------- errors

    error ZeroAmount();
    error AmountTooLarge();
    error InsufficientFreeStake(uint256 free, uint256 needed);
    error TokenTransferMismatch(uint256 expected, uint256 received);
    error InvalidManifest();
    error InvalidItemCount(uint256 itemCount);
    error InvalidClassCount(uint256 classCount);
    error InvalidReplication(uint256 replication);
    error InvalidReviewerCount(uint256 reviewers);
    error UnverifiableTask();
    error InvalidReward();
    error InvalidStake();
    error InvalidBps(uint256 value);
    error LeaveFeeTooHigh(uint256 leaveFee, uint256 lock);
    error InvalidGold();
    error InvalidDeadlines();
    error UnknownTask(uint256 taskId);
    error TaskNotOpen(uint256 taskId, TaskState state);
    error NotRequester();
    error TaskHasJoins();
    error TooEarly(uint256 notBefore);
    error TooLate(uint256 deadline);
    error RequesterCannotJoin();
    error AlreadyJoined();
    error NoSeatLeft();
    error BadPublicKey();
    error NotSeated();
    error WrongState(SeatState state);
    error ZeroCommitment();
    error BadLength(uint256 length, uint256 expected);
    error CommitmentMismatch();
    error NoGold();
    error GoldAlreadyRevealed();
    error GoldMismatch();
    error NotPrivate();
    error NotKeyServer();
    error NoReviews();
    error InvalidSeat(uint256 seat);
    error SubmissionNotRevealed(uint256 seat);
    error ReviewerIsAnnotator();
    error LabelsMismatch(uint256 seat);
    error VerdictsMismatch(uint256 reviewSlot);
    error NothingToClaim();

    // ---------------------------------------------------------------- construction

    /// @param token_ The ERC-20 of stakes, budgets and rewards (no fee on transfer).
    constructor(IERC20 token_) {
        token = token_;
    }

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

    function _openTask(uint256 taskId) private view returns (Task storage t) {
        t = _tasks[taskId];
        TaskState state = t.state;
        if (state == TaskState.None) revert UnknownTask(taskId);
        if (state != TaskState.Open) revert TaskNotOpen(taskId, state);
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

    /// @dev Burns with the token's `burn` when it has one, else sends to BURN_ADDRESS.
    function _burn(uint256 amount) private {
        totalBurned += amount;
        try IERC20Burn(address(token)).burn(amount) {}
        catch {
            token.safeTransfer(BURN_ADDRESS, amount);
        }
    }
}
