// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title The naive design bench/gas compares LabelMarket with
/// @notice One transaction per label, the label stored as is. It is a lower bound of such a
/// design: no stake, escrow, consensus or payment at all, only the label going on chain.
contract NaiveLabels {
    mapping(uint256 taskId => mapping(uint256 item => mapping(address annotator => uint8))) public labelOf;

    event Labelled(uint256 indexed taskId, uint256 indexed item, address indexed annotator, uint8 label);

    function submitLabel(uint256 taskId, uint256 item, uint8 label) external {
        labelOf[taskId][item][msg.sender] = label;
        emit Labelled(taskId, item, msg.sender, label);
    }
}
